"""`consultbot followups ...` run as a separate process, on both databases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.deployment import BUNDLED_FLOWS, deploy_file
from storage import audit
from storage.database import Database
from tests.bot.cli.running import Outcome, consultbot
from tests.serving import SECRET


async def _followups(database_url: str, tmp_path: Path, *args: str) -> Outcome:
    return await consultbot(
        "followups",
        *args,
        "--by",
        "organizer-2",
        cwd=tmp_path,
        database_url=database_url,
        CONSULTBOT_SECRET_KEY=SECRET,
    )


async def test_create_status_list_and_send(database: Database, database_url: str, tmp_path: Path):
    await deploy_file(database, BUNDLED_FLOWS / "mobilite.yml", now=_now(), deployed_by="t")
    created = await _followups(
        database_url, tmp_path, "create", "mobilite", "--text", "fr=Merci !", "--text", "en=Thanks!"
    )
    assert created.code == 0, created.err
    assert "Follow-up 1 of mobilite stored as a draft: no resident sees it" in created.out
    assert "0 residents asked" in created.out
    status = await _followups(database_url, tmp_path, "status", "1")
    assert "0 residents: 0 delivered" in status.out
    listed = await _followups(database_url, tmp_path, "list", "mobilite")
    assert "by organizer-2  (en, fr)" in listed.out
    sent = await _followups(database_url, tmp_path, "send", "1")
    assert sent.code == 0, sent.err
    async with database.transaction() as s:
        [record] = await audit.recent(s, action="follow_up.create")
        [sent_record] = await audit.recent(s, action="follow_up.send")
    assert (record.actor, record.subject) == ("organizer-2", "follow_up:1")
    assert (sent_record.actor, sent_record.subject) == ("organizer-2", "follow_up:1")


async def test_mistakes_get_a_message_and_store_nothing(
    database: Database, database_url: str, tmp_path: Path
):
    await deploy_file(database, BUNDLED_FLOWS / "mobilite.yml", now=_now(), deployed_by="t")
    missing = await _followups(database_url, tmp_path, "create", "mobilite", "--text", "fr=Merci")
    unknown = await _followups(database_url, tmp_path, "create", "nope", "--text", "fr=Merci")
    no_such = await _followups(database_url, tmp_path, "send", "42")
    malformed = await _followups(database_url, tmp_path, "create", "mobilite", "--text", "Merci")
    for outcome, said in [
        (missing, "no text in 'en'"),
        (unknown, "no consultation 'nope'"),
        (no_such, "no follow-up 42"),
        (malformed, "write LANG=TEXT"),
    ]:
        assert outcome.code != 0
        assert said in outcome.out + outcome.err
        assert "Traceback" not in outcome.err
    listed = await _followups(database_url, tmp_path, "list", "mobilite")
    assert "No follow-up of mobilite yet." in listed.out


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
