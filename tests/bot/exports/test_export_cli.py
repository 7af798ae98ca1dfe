"""`consultbot export` as an organizer runs it, on SQLite and PostgreSQL; the
files are read back the way a spreadsheet, a script or Decidim reads them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import jsonschema
import openpyxl

from bot.api.openapi import document
from bot.client import Client
from storage import answers, moderation
from storage.database import Database
from tests.bot.cli.running import Outcome, consultbot
from tests.bot.exports.seeding import NOW, SECRET, Resident, contribute, deploy
from tests.serving import DEMO

LONG = " ".join(f"mot{n}" for n in range(200))  # about 1,300 characters


async def _export(tmp_path: Path, database_url: str, *args: str) -> Outcome:
    return await consultbot(
        "export", *args, cwd=tmp_path, database_url=database_url, CONSULTBOT_SECRET_KEY=SECRET
    )


async def _seeded(database: Database) -> None:
    version = await deploy(database)
    await contribute(
        database,
        version,
        [
            Resident(idea="appelez le 0612", approved="=HYPERLINK(\"http://x\")+plus de pistes"),
            Resident(language="en", mode="car", area="south", themes=("safety", "parking"),
                     idea="More bike lanes please", approved="More bike lanes please"),
            Resident(idea="des insultes", rejected=True),
            Resident(idea="en attente de modération"),
            Resident(idea=LONG, approved=LONG, when=NOW + dt.timedelta(days=3)),
        ],
    )  # fmt: skip


async def test_csv_has_a_row_per_contribution_with_labels_and_no_formula(
    database: Database, database_url: str, tmp_path: Path
):
    await _seeded(database)
    out = tmp_path / "velo.csv"
    outcome = await _export(tmp_path, database_url, "velo", "--format", "csv", "--out", str(out))
    assert outcome.code == 0, outcome.err
    assert "exported 5 contribution(s)" in outcome.err
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 5
    first, english = rows[0], rows[1]
    assert first["contribution"].startswith("ctb_")
    assert (first["consultation"], first["status"], first["language"]) == (
        "velo",
        "completed",
        "fr",
    )
    assert (first["mode"], first["mode (label)"]) == ("bike", "Vélo")
    # Labels in the flow's main language, whatever the resident's.
    assert (english["mode"], english["mode (label)"]) == ("car", "Voiture")
    assert english["themes (label)"] == "Sécurité, Stationnement"
    assert first["score"] == "4"
    # The approved text leaves redacted and defused; rejected or pending text never.
    assert first["idea"] == '\'=HYPERLINK("http://x")+plus de pistes'
    assert [row["idea"] for row in rows[2:4]] == ["", ""]
    assert "insultes" not in out.read_text()
    assert "attente" not in out.read_text()
    assert "0612" not in out.read_text()
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


async def test_csv_to_standard_output_and_since(
    database: Database, database_url: str, tmp_path: Path
):
    await _seeded(database)
    since = (NOW + dt.timedelta(days=1)).date().isoformat()
    outcome = await _export(tmp_path, database_url, "velo", "--format", "csv", "--since", since)
    assert outcome.code == 0, outcome.err
    rows = list(csv.DictReader(io.StringIO(outcome.out)))
    assert len(rows) == 1
    assert rows[0]["idea"] == LONG


async def test_xlsx_first_sheet_holds_only_text_cells(
    database: Database, database_url: str, tmp_path: Path
):
    await _seeded(database)
    out = tmp_path / "velo.xlsx"
    outcome = await _export(tmp_path, database_url, "velo", "--format", "xlsx", "--out", str(out))
    assert outcome.code == 0, outcome.err
    sheet = openpyxl.load_workbook(out).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert {c.data_type for c in cells} == {"s"}
    header = rows[0]
    assert header[:2] == ["contribution", "consultation"]
    assert len(rows) == 6
    by_name = dict(zip(header, rows[1], strict=True))
    assert by_name["idea"] == '\'=HYPERLINK("http://x")+plus de pistes'
    assert by_name["score"] == "4"
    assert by_name["mode (label)"] == "Vélo"


async def test_jsonl_gives_the_api_contribution_objects(
    database: Database, database_url: str, tmp_path: Path
):
    await _seeded(database)
    outcome = await _export(tmp_path, database_url, "velo", "--format", "jsonl")
    assert outcome.code == 0, outcome.err
    objects = [json.loads(line) for line in outcome.out.splitlines()]
    assert len(objects) == 5
    doc = document()
    validator = jsonschema.Draft202012Validator(
        {"$ref": "#/components/schemas/Contribution", "components": doc["components"]}
    )
    for obj in objects:
        validator.validate(obj)
    ideas = [a["value"] for o in objects for a in o["answers"] if a["question"] == "idea"]
    assert ideas == ['=HYPERLINK("http://x")+plus de pistes', "More bike lanes please", LONG]


async def test_decidim_csv_is_semicolon_separated_with_decidim_limits(
    database: Database, database_url: str, tmp_path: Path
):
    await _seeded(database)
    out = tmp_path / "proposals.csv"
    outcome = await _export(
        tmp_path, database_url, "velo", "--format", "decidim", "--out", str(out)
    )
    assert outcome.code == 0, outcome.err
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")), delimiter=";"))
    assert list(rows[0]) == [
        "title/fr", "title/en", "body/fr", "body/en", "scope/id", "taxonomies/ids",
    ]  # fmt: skip
    # Three approved texts; the long one is split in parts, each marked.
    assert len(rows) >= 5
    first, english, *parts = rows
    assert first["title/fr"] == 'Vélo : Vélo — =HYPERLINK("http://x")+plus de pistes'
    assert first["body/fr"].startswith("'=HYPERLINK")
    assert (first["scope/id"], first["taxonomies/ids"]) == ("11", "21")
    assert (english["title/fr"], english["body/fr"]) == ("", "")
    assert english["title/en"] == "Cycling: Car — More bike lanes please"
    assert (english["scope/id"], english["taxonomies/ids"]) == ("12", "21, 22")
    n = len(parts)
    for index, part in enumerate(parts, start=1):
        assert part["title/fr"].endswith(f"({index}/{n})")
        assert part["body/fr"].startswith(f"({index}/{n}) ")
    assert " ".join(p["body/fr"].split(" ", 1)[1] for p in parts) == LONG
    for row in rows:
        title = row["title/fr"] or row["title/en"]
        body = row["body/fr"] or row["body/en"]
        assert 15 <= len(title) <= 150, title
        assert len(body) <= 500


async def test_decidim_json_objects_share_keys_in_one_order_and_xlsx_first_sheet(
    database: Database, database_url: str, tmp_path: Path
):
    await _seeded(database)
    out = tmp_path / "proposals.json"
    outcome = await _export(
        tmp_path, database_url, "velo", "--format", "decidim", "--out", str(out)
    )
    assert outcome.code == 0, outcome.err
    objects = json.loads(out.read_text(encoding="utf-8"))
    keys = [list(o) for o in objects]
    assert all(k == keys[0] for k in keys)
    assert objects[1]["taxonomies/ids"] == [21, 22]
    assert objects[1]["scope/id"] == 12
    book = tmp_path / "proposals.xlsx"
    outcome = await _export(
        tmp_path, database_url, "velo", "--format", "decidim", "--out", str(book)
    )
    assert outcome.code == 0, outcome.err
    sheet = openpyxl.load_workbook(book).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == list(objects[0])
    assert len(rows) == len(objects) + 1
    assert {c.data_type for row in sheet.iter_rows() for c in row if c.value} == {"s"}


async def test_bad_requests_exit_2_with_one_line_and_leave_no_file(
    database: Database, database_url: str, tmp_path: Path
):
    await _seeded(database)
    out = tmp_path / "x.csv"
    cases = [
        (("nowhere", "--format", "csv", "--out", str(out)), "no consultation 'nowhere'"),
        (("velo", "--format", "csv", "--since", "yesterday", "--out", str(out)), "not a date"),
        (("velo", "--format", "csv", "--out", str(tmp_path / "missing" / "x.csv")), "cannot write"),
        (("velo", "--format", "xlsx"), "--out FILE.xlsx"),
        (("velo", "--format", "decidim", "--out", str(tmp_path / "x.txt")), ".csv, .xlsx or .json"),
    ]  # fmt: skip
    for args, message in cases:
        outcome = await _export(tmp_path, database_url, *args)
        assert outcome.code == 2, (args, outcome.err)
        assert message in outcome.err, outcome.err
        assert len(outcome.err.strip().splitlines()) == 1, outcome.err
        assert "Traceback" not in outcome.err
    assert _left_in(tmp_path) == []


def _left_in(folder: Path) -> list[str]:
    """Files in the folder besides the test's SQLite database."""
    return [p.name for p in folder.iterdir() if not p.name.startswith("consultbot.db")]


async def test_the_readme_command_exports_the_demo_consultations_proposals_for_decidim(
    open_service, clock, database_url: str, tmp_path: Path
):
    service = await open_service()
    await Client(service, now=clock).converse("alice", *DEMO)
    async with service.database.transaction() as s:
        [pending] = await answers.for_moderation(s)
        await moderation.approve(s, pending.id, by="ana@region.fr", now=clock.now)
    out = tmp_path / "proposals.csv"
    outcome = await _export(
        tmp_path, database_url, "mobilite", "--format", "decidim", "--out", str(out)
    )
    assert outcome.code == 0, outcome.err
    [row] = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")), delimiter=";")
    assert row["body/fr"] == DEMO[-1]  # approved as written
    assert row["title/fr"].startswith("Mobilité : Train")


async def test_decidim_needs_the_flow_to_say_how(
    database: Database, database_url: str, tmp_path: Path
):
    await deploy(database, with_export=False)
    outcome = await _export(tmp_path, database_url, "velo", "--format", "decidim")
    assert outcome.code == 2
    assert "export: {decidim: {body: QUESTION}}" in outcome.err


async def test_every_export_is_in_the_audit_log(
    database: Database, database_url: str, tmp_path: Path
):
    await _seeded(database)
    outcome = await _export(tmp_path, database_url, "velo", "--format", "jsonl", "--by", "ana")
    assert outcome.code == 0, outcome.err
    log = await consultbot("audit", cwd=tmp_path, database_url=database_url)
    assert log.code == 0, log.err
    line = next(line for line in log.out.splitlines() if "contributions.export" in line)
    assert "ana" in line
    assert "consultation:velo" in line
    assert "contributions=5" in line
    assert "format=jsonl" in line


RANKED_FLOW = """\
id: lycees_rang
title: Lycées
languages: [fr]
consent: D'accord ?
questions:
  - id: works
    type: ranking
    ranks: 2
    text: Classez les deux chantiers les plus urgents.
    choices:
      - {id: roofs, label: Toitures}
      - {id: heating, label: Chauffage}
      - {id: kitchens, label: Cuisines}
outro: Merci
"""


async def test_a_ranking_reads_in_rank_order(database: Database, database_url: str, tmp_path: Path):
    from storage import answers, consultations, contributions, participants, sessions

    async with database.transaction() as s:
        deployed = await consultations.deploy(
            s, "lycees_rang", RANKED_FLOW, deployed_by="test", now=NOW
        )
        participant = await participants.create(s, "web", "ab" * 32, now=NOW)
        stored = await sessions.create(s, participant.id, deployed.version.id, {}, now=NOW)
        await answers.record(
            s, stored.id, "works", ["kitchens", "roofs"], question_text="Classez…",
            language="fr", now=NOW,
        )  # fmt: skip
        await contributions.record(
            s, session_id=stored.id, consultation_id="lycees_rang",
            flow_version_id=deployed.version.id, participant_id=participant.id, channel="web",
            language="fr", partial=False, pseudonym="p" * 32, now=NOW, payload={},
        )  # fmt: skip
    out = tmp_path / "rang.csv"
    outcome = await _export(
        tmp_path, database_url, "lycees_rang", "--format", "csv", "--out", str(out)
    )
    assert outcome.code == 0, outcome.err
    (row,) = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
    assert (row["works"], row["works (label)"]) == ("kitchens > roofs", "Cuisines > Toitures")
