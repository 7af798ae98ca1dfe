"""Flows in the console, over real HTTP on both databases: an organizer
uploads a flow with three mistakes and reads them at their lines, as
`consultbot flows validate` words them; a flow file that is too large,
binary or a YAML bomb gets one clear message and changes nothing; a valid
flow is previewed as `flows show` prints it, simulated without storing
anything, deployed (audited, conversations in progress keep their version),
compared with the previous version; dates are changed and the consultation
closed, which residents in the middle of a conversation are held to."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.deployment import BUNDLED_FLOWS
from bot.flow_preview import FlowPrinter
from flows.loader import MAX_FILE_BYTES, parse_flow
from storage import audit, consultations
from storage.models import AuditRow, ConsoleRole, SessionRow
from tests.bot.console.site import Site, client, console_site, post_form, sign_in

MOBILITE = (BUNDLED_FLOWS / "mobilite.yml").read_text(encoding="utf-8")
OLD_QUESTION = "Quel est votre code postal ?"
CHANGED_QUESTION = "Quel est le code postal de votre commune ?"


def broken_flow() -> str:
    """mobilite with three mistakes: a misspelt type, min > max, a misspelt key."""
    text = MOBILITE.replace("    type: choice\n", "    type: choise\n", 1)
    text = text.replace("    max: 5\n", "    max: 0\n", 1)
    return text.replace(
        "    type: postal_code\n", "    type: postal_code\n    optionnal: true\n", 1
    )


def changed_flow() -> str:
    return MOBILITE.replace(OLD_QUESTION, CHANGED_QUESTION)


async def upload(
    http: aiohttp.ClientSession, site: Site, token: str, content: bytes, name: str = "broken.yml"
) -> tuple[int, str]:
    form = aiohttp.FormData()
    form.add_field("csrf", token)
    form.add_field("file", io.BytesIO(content), filename=name, content_type="application/x-yaml")
    form.add_field("text", "")
    async with http.post(
        f"{site.url}/console/flows/new", data=form, headers={"Origin": site.url}
    ) as response:
        return response.status, await response.text()


async def _state(site: Site) -> tuple[int, int, int]:
    """Versions, sessions and flow audit records in the site's database."""
    async with site.database.transaction() as s:
        versions = len(await consultations.versions(s, "mobilite"))
        count = await s.scalar(select(func.count()).select_from(SessionRow))
        records = await s.scalar(
            select(func.count()).select_from(AuditRow).where(AuditRow.action.like("flow.%"))
        )
    return versions, int(count or 0), int(records or 0)


async def post_fields(
    http: aiohttp.ClientSession, site: Site, path: str, fields: list[tuple[str, str]]
) -> tuple[int, str]:
    """Post a form whose fields may repeat (the simulator's messages)."""
    async with http.post(site.url + path, data=fields, headers={"Origin": site.url}) as response:
        return response.status, await response.text()


def _all_hidden(page: str, name: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(rf'name="{name}" value="([^"]*)"', page)]


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None, name
    return html.unescape(found.group(1))


async def test_three_mistakes_are_shown_at_their_lines_as_flows_validate_words_them(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    (tmp_path / "broken.yml").write_text(broken_flow(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["flows", "validate", "broken.yml"]) == 1
    reported = [line.strip() for line in capsys.readouterr().err.splitlines()]
    assert reported[0] == "broken.yml: 3 problems"
    async with console_site(database_url, tmp_path) as site:
        await site.user("olga@region.fr", ConsoleRole.ORGANIZER)
        before = await _state(site)
        async with client() as http:
            token = await sign_in(http, site, "olga@region.fr")
            status, page = await upload(http, site, token, broken_flow().encode())
        assert status == 400
        assert "broken.yml: 3 problems" in page
        for line in reported[1:]:  # every problem, word for word, at its line
            number = re.match(r"broken\.yml:(\d+)", line)
            assert number is not None
            row = re.search(
                rf'<tr id="line-{number.group(1)}" class="has-problem">(.*?)</tr>', page, re.S
            )
            assert row is not None, line
            assert line in html.unescape(row.group(1))
        assert "Deploy mobilite" not in page
        assert await _state(site) == before  # nothing stored


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"# padding\n" * (MAX_FILE_BYTES // 10) + b"x\n", "the file is larger than 1 MB"),
        (b"id: mobilite\n\x00\x01\x02binary", "this is a binary file, not a flow file"),
        (
            b"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + b"".join(
                f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n".encode()
                for p, c in zip("abcdefg", "bcdefgh", strict=True)
            ),
            "expand to more than",
        ),
    ],
    ids=["1 MB + 1 byte", "binary", "YAML bomb"],
)
@pytest.mark.filterwarnings("ignore:Sending a large body:ResourceWarning")  # the pasted 1 MB
async def test_a_file_too_large_binary_or_a_bomb_gets_one_clear_message(
    database_url: str, tmp_path: Path, content: bytes, message: str
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("olga@region.fr", ConsoleRole.ORGANIZER)
        before = await _state(site)
        async with client() as http:
            token = await sign_in(http, site, "olga@region.fr")
            status, page = await upload(http, site, token, content)
            assert status == 400
            assert "broken.yml: 1 problem" in page
            assert message in page
            assert "Traceback" not in page
            if len(content) > MAX_FILE_BYTES:  # pasted, the same
                status, _, pasted = await post_form(
                    http, site, "/console/flows/new", {"csrf": token, "text": content.decode()}
                )
                assert status == 400
                assert "pasted text: 1 problem" in pasted
                assert message in pasted
        assert await _state(site) == before


async def test_a_form_larger_than_the_server_takes_is_refused_with_a_message(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("olga@region.fr", ConsoleRole.ORGANIZER)
        async with client() as http:
            token = await sign_in(http, site, "olga@region.fr")
            status, page = await upload(http, site, token, b"#" * (5 * MAX_FILE_BYTES))
        assert status == 413
        assert "Refused: the form is too large (a flow is at most 1 MB)." in page


async def test_the_warnings_of_a_valid_flow_are_listed_as_flows_validate_prints_them(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    text = MOBILITE.replace("synonyms: {fr: [TER", "synonyms: {fr: [train régional, TER", 1)
    (tmp_path / "warned.yml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["flows", "validate", "warned.yml"]) == 0
    printed = [line.strip() for line in capsys.readouterr().out.splitlines()]
    warnings = [line for line in printed if line.startswith("warning: ")]
    assert warnings == [
        "warning: warned.yml:26 (question mode): the synonym 'train régional' (fr) of 'train'"
        " is also read from 'régional' alone. Hint: if 'régional' alone should not mean"
        " 'train', use other words",
        "warning: warned.yml:29 (question mode): the synonym 'car scolaire' (fr) of 'bus' is"
        " also read from 'car' alone, a common word. Hint: if 'car' alone should not mean"
        " 'bus', use other words",
    ]
    async with console_site(database_url, tmp_path) as site:
        await site.user("olga@region.fr", ConsoleRole.ORGANIZER)
        async with client() as http:
            token = await sign_in(http, site, "olga@region.fr")
            status, page = await upload(http, site, token, text.encode(), "warned.yml")
    assert status == 200
    listed = re.search(
        r'<h3 id="warnings">2 warnings</h3>.*?<ul class="warnings"'
        r' aria-labelledby="warnings">(.*?)</ul>',
        page,
        re.S,
    )
    assert listed is not None
    items = re.findall(r"<li>(.*?)</li>", listed.group(1), re.S)
    assert [html.unescape(item) for item in items] == warnings  # word for word
    assert "Deploy mobilite" in page  # warnings do not stop a flow


async def test_a_valid_flow_is_previewed_simulated_without_storing_and_deployed(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("olga@region.fr", ConsoleRole.ORGANIZER)
        # A resident starts on version 1 before the new version is deployed.
        await site.says("rest", "early", "bonjour")
        await site.says("rest", "early", "oui")
        before = await _state(site)
        async with client() as http:
            token = await sign_in(http, site, "olga@region.fr")
            status, page = await upload(http, site, token, changed_flow().encode(), "v2.yml")
            assert status == 200
            assert "v2.yml: ok: &#39;mobilite&#39;, 4 questions, in fr, en" in page
            flow = parse_flow(changed_flow(), "v2.yml")
            assert FlowPrinter(flow, flow.languages).render() in html.unescape(page)
            text = _hidden(page, "text")
            assert text == changed_flow()

            conversation = [("csrf", token), ("source", "v2.yml"), ("text", text)]
            status, simulated = await post_fields(
                http, site, "/console/flows/simulate", [*conversation, ("action", "start")]
            )
            assert status == 200
            assert "Acceptez-vous ?" in html.unescape(simulated)
            for message in ("oui", "train", "4"):
                said = [("said", line) for line in _all_hidden(simulated, "said")]
                status, simulated = await post_fields(
                    http,
                    site,
                    "/console/flows/simulate",
                    [*conversation, *said, ("language", "fr"), ("message", message)],
                )
                assert status == 200
            assert _all_hidden(simulated, "said") == ["oui", "train", "4"]
            assert CHANGED_QUESTION in simulated  # the uploaded flow's, not the live one's
            assert await _state(site) == before  # the simulator stored nothing

            status, where, deployed = await post_form(
                http, site, "/console/flows/deploy", dict(conversation)
            )
            assert (status, where) == (200, "/console/flows/mobilite")
            assert "Deployed: new conversations take this version" in deployed
            assert re.search(
                r"<td>2</td>.*?<td>olga@region.fr</td>.*?<strong>live</strong>", deployed, re.S
            )
            assert "Changes from version 1 to version 2" in deployed
            changes = re.findall(r'<tr class="(added|removed)">.*?<code>(.*?)</code>', deployed)
            assert [(change, html.unescape(line).strip()) for change, line in changes] == [
                ("removed", f"fr: {OLD_QUESTION}"),
                ("added", f"fr: {CHANGED_QUESTION}"),
            ]

            _, _, again = await post_form(http, site, "/console/flows/deploy", dict(conversation))
            assert "This exact flow was already live: nothing changed." in again
        # The resident who started on version 1 keeps it; a new one takes version 2.
        await site.says("rest", "early", "train")
        early = await site.says("rest", "early", "4")
        assert any(OLD_QUESTION in reply for reply in early), early
        for message in ("bonjour", "oui", "train"):
            late = await site.says("rest", "late", message)
        late = await site.says("rest", "late", "4")
        assert any(CHANGED_QUESTION in reply for reply in late), late
        async with site.database.transaction() as s:
            records = await audit.recent(s, action="flow.deploy")
        assert [(r.actor, r.subject, r.counts) for r in records[:2]] == [
            ("olga@region.fr", "consultation:mobilite", {"version": 2}),
            ("olga@region.fr", "consultation:mobilite", {"version": 2}),
        ]


async def test_the_simulator_posts_each_message_said_before(database_url: str, tmp_path: Path):
    """The transcript travels in the form: a field per message said."""
    async with console_site(database_url, tmp_path) as site:
        await site.user("olga@region.fr", ConsoleRole.ORGANIZER)
        async with client() as http:
            token = await sign_in(http, site, "olga@region.fr")
            form = aiohttp.FormData()
            for name, value in (
                ("csrf", token),
                ("source", "m.yml"),
                ("text", MOBILITE),
                ("language", "en"),
                ("said", "yes"),
                ("said", "train"),
                ("message", "4"),
                ("action", "send"),
            ):
                form.add_field(name, value)
            async with http.post(
                f"{site.url}/console/flows/simulate", data=form, headers={"Origin": site.url}
            ) as response:
                page = await response.text()
        assert response.status == 200
        assert "What is your postal code?" in page
        assert re.findall(r'name="said" value="([^"]*)"', page) == ["yes", "train", "4"]


async def test_dates_changed_and_closing_now_hold_residents_in_progress(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("olga@region.fr", ConsoleRole.ORGANIZER)
        for message in ("bonjour", "oui"):
            await site.says("rest", "camille", message)
        async with client() as http:
            token = await sign_in(http, site, "olga@region.fr")
            status, _, page = await post_form(
                http,
                site,
                "/console/flows/mobilite/dates",
                {"csrf": token, "opens": "2030-01-10", "closes": "2030-01-01"},
            )
            assert status == 400
            assert "The closing date is before the opening date: nothing changed." in page
            status, _, page = await post_form(
                http, site, "/console/flows/mobilite/dates", {"csrf": token, "opens": "01/02"}
            )
            assert status == 400
            assert "The opening date is not a date (YYYY-MM-DD)" in page

            status, _, page = await post_form(
                http,
                site,
                "/console/flows/mobilite/dates",
                {"csrf": token, "opens": "2030-01-01", "closes": ""},
            )
            assert "Dates changed" in page
            assert "Opens: 2030-01-01. Closes: never" in page
            opening = await site.says("rest", "newcomer", "bonjour")
            assert any("ouvrira le" in reply for reply in opening), opening

            status, _, page = await post_form(
                http, site, "/console/flows/mobilite/close", {"csrf": token}
            )
            assert "Closed: residents are told so from their next message." in page
            assert "<strong>Closed</strong>: residents are told so." in page
            async with http.get(f"{site.url}/console/flows") as listing:
                assert "(set in the console)" in await listing.text()
        closed = await site.says("rest", "camille", "train")  # in the middle of the flow
        assert any("a pris fin le" in reply for reply in closed), closed
        async with site.database.transaction() as s:
            records = await audit.recent(s, action="flow.close")
            dates = await consultations.dates_of(s, "mobilite")
        yesterday = dt.date.today() - dt.timedelta(days=1)
        assert dates is not None
        assert dates.closes is not None
        assert abs((dates.closes - yesterday).days) <= 1  # the region's yesterday
        assert [(r.actor, r.subject) for r in records] == [
            ("olga@region.fr", "consultation:mobilite")
        ]
        # Deploying a new version brings the file's dates back.
        async with client() as http:
            token = await sign_in(http, site, "olga@region.fr")
            await post_form(
                http,
                site,
                "/console/flows/deploy",
                {"csrf": token, "source": "v2.yml", "text": changed_flow()},
            )
        reopened = await site.says("rest", "another", "bonjour")
        assert not any("a pris fin" in reply for reply in reopened), reopened


async def test_an_organizer_of_another_consultation_cannot_deploy_nor_see_it(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("lea@region.fr", ConsoleRole.ORGANIZER, consultations=["lycees"])
        before = await _state(site)
        async with client() as http:
            token = await sign_in(http, site, "lea@region.fr")
            status, _, page = await post_form(
                http,
                site,
                "/console/flows/deploy",
                {"csrf": token, "source": "v2.yml", "text": changed_flow()},
            )
            assert status == 403
            assert "You do not organise &#39;mobilite&#39;: nothing was deployed." in page
            async with http.get(f"{site.url}/console/flows/mobilite") as history:
                assert history.status == 403
            async with http.get(f"{site.url}/console/flows") as listing:
                assert "History, differences and dates of mobilite" not in await listing.text()
        assert await _state(site) == before


async def test_the_simulator_can_pretend_it_is_another_day(database_url: str, tmp_path: Path):
    lycees = (BUNDLED_FLOWS / "lycees.yml").read_text(encoding="utf-8")  # opens 2026-09-01
    async with console_site(database_url, tmp_path) as site:
        await site.user("olga@region.fr", ConsoleRole.ORGANIZER)
        async with client() as http:
            token = await sign_in(http, site, "olga@region.fr")
            start = [("csrf", token), ("source", "lycees.yml"), ("text", lycees)]
            _, before = await post_fields(
                http, site, "/console/flows/simulate", [*start, ("today", "2026-08-31")]
            )
            _, opened = await post_fields(
                http, site, "/console/flows/simulate", [*start, ("today", "2026-09-01")]
            )
        assert "ouvrira le 1er septembre 2026" in html.unescape(before)
        assert 'name="today" type="date" value="2026-08-31"' in before
        assert "ouvrira le" not in html.unescape(opened)
