import datetime as dt
from pathlib import Path

import pytest

from storage import audit, transcripts
from storage.database import Database
from storage.models import Direction
from storage.transcripts import TranscriptLine
from tests.bot.cli.running import consultbot
from tests.storage.seeding import seed

NOW = dt.datetime.now(dt.UTC)


async def test_purge_erases_old_transcript_lines_and_audits(
    database: Database, database_url: str, tmp_path: Path
):
    seeded = await seed(database)
    async with database.transaction() as s:
        await transcripts.append(
            s,
            seeded.session_id,
            [
                TranscriptLine(Direction.IN, "il y a 40 jours", NOW - dt.timedelta(days=40)),
                TranscriptLine(Direction.IN, "il y a 20 jours", NOW - dt.timedelta(days=20)),
            ],
        )
    outcome = await consultbot(
        "purge", "--older-than", "30d", database_url=database_url, cwd=tmp_path
    )
    assert outcome.code == 0, outcome.err
    assert "1 transcript lines" in outcome.out
    async with database.transaction() as s:
        remaining = await transcripts.for_session(s, seeded.session_id)
        records = await audit.recent(s, action="purge")
    assert [line.text for line in remaining] == ["il y a 20 jours"]
    assert len(records) == 1
    assert records[0].counts["transcript_lines"] == 1


async def test_purge_defaults_to_the_configured_retention(
    database: Database, database_url: str, tmp_path: Path
):
    seeded = await seed(database)
    async with database.transaction() as s:
        await transcripts.append(
            s,
            seeded.session_id,
            [TranscriptLine(Direction.IN, "vieux", NOW - dt.timedelta(days=10))],
        )
    (tmp_path / "config.yml").write_text("privacy:\n  transcript_retention_days: 7\n")
    outcome = await consultbot("purge", database_url=database_url, cwd=tmp_path)
    assert outcome.code == 0, outcome.err
    assert "older than 7 days" in outcome.out
    async with database.transaction() as s:
        assert await transcripts.for_session(s, seeded.session_id) == []


async def test_purge_refuses_an_age_that_is_not_days(tmp_path: Path):
    outcome = await consultbot(
        "purge", "--older-than", "a year", database_url="sqlite+aiosqlite:///x.db", cwd=tmp_path
    )
    assert outcome.code == 2
    assert "365d" in outcome.err
    assert not (tmp_path / "x.db").exists()


@pytest.mark.empty_database
async def test_purge_on_a_database_never_migrated_says_to_upgrade(
    database_url: str, tmp_path: Path
):
    outcome = await consultbot("purge", database_url=database_url, cwd=tmp_path)
    assert outcome.code == 1
    assert "consultbot db upgrade" in outcome.err
    assert "Traceback" not in outcome.err
