from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from storage.database import Database
from tests.bot.cli.running import consultbot

HEAD = Database.head_revision()


@pytest.mark.empty_database
async def test_upgrade_then_current_then_upgrade_again(database_url: str, tmp_path: Path):
    before = await consultbot("db", "current", database_url=database_url, cwd=tmp_path)
    upgraded = await consultbot("db", "upgrade", database_url=database_url, cwd=tmp_path)
    now = await consultbot("db", "current", database_url=database_url, cwd=tmp_path)
    again = await consultbot("db", "upgrade", database_url=database_url, cwd=tmp_path)
    assert before.code == 0
    assert "revision none" in before.out
    assert "consultbot db upgrade" in before.out
    assert upgraded.code == 0
    assert f"to revision {HEAD} (latest)" in upgraded.out
    assert f"at revision {HEAD} (latest)" in now.out
    assert "already at" in again.out
    db = await Database.connect(database_url)
    try:
        assert await db.current_revision() == HEAD
    finally:
        await db.close()


async def test_downgrade_asks_for_confirmation_then_drops_the_schema(
    database: Database, database_url: str, tmp_path: Path
):
    refused = await consultbot("db", "downgrade", "base", database_url=database_url, cwd=tmp_path)
    assert refused.code == 1
    assert "--yes" in refused.err
    assert await database.current_revision() == HEAD
    done = await consultbot(
        "db", "downgrade", "base", "--yes", database_url=database_url, cwd=tmp_path
    )
    assert done.code == 0
    assert "to revision none" in done.out
    assert await database.current_revision() is None


async def test_an_unreachable_database_is_one_line_without_password_or_traceback(tmp_path: Path):
    url = "postgresql+asyncpg://consultbot:s3cret@127.0.0.1:1/consultbot"
    outcome = await consultbot("db", "upgrade", database_url=url, cwd=tmp_path)
    assert outcome.code == 1
    assert outcome.out == ""
    lines = outcome.err.strip().splitlines()
    assert len(lines) == 1
    assert "127.0.0.1:1" in lines[0]
    assert "s3cret" not in outcome.err
    assert make_url(url).host in lines[0]


@pytest.mark.parametrize("command", [("db", "upgrade"), ("serve",)])
async def test_a_wrong_driver_is_one_line_without_the_password(tmp_path: Path, command):
    url = "postgresql://consultbot:S3cretPass@127.0.0.1:5432/consultbot"
    outcome = await consultbot(*command, database_url=url, cwd=tmp_path)
    assert outcome.code == 1
    assert outcome.err == (
        "consultbot: config: database_url (CONSULTBOT_DATABASE_URL or config.yml): Value "
        "error, unsupported database driver 'postgresql' in postgresql://consultbot@127.0.0.1"
        ":5432/consultbot; use sqlite+aiosqlite:///path/to/file.db or "
        "postgresql+asyncpg://user@host:5432/db\n"
    )
