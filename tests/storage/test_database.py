"""The unit of work and what a person sees when the database cannot be used."""

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage import participants, sessions, transcripts
from storage.database import Database
from storage.errors import (
    Conflict,
    DatabaseBusy,
    DatabaseFull,
    DatabaseUnavailable,
    SchemaOutOfDate,
    StorageError,
)
from storage.models import Direction, ParticipantRow
from storage.transcripts import TranscriptLine
from tests.conftest import admin_connection
from tests.storage.seeding import NOW, Seeded

HASH = "9e" * 32


async def test_a_transaction_that_raises_writes_nothing(database: Database, seeded: Seeded):
    async def crash_half_way() -> None:
        async with database.transaction() as s:
            created, _ = await participants.get_or_create(s, "web", HASH, now=NOW)
            await sessions.create(s, created.id, seeded.flow_version_id, {}, now=NOW)
            raise RuntimeError("the engine crashed half-way")

    with pytest.raises(RuntimeError):
        await crash_half_way()
    async with database.transaction() as s:
        assert await participants.find(s, "web", HASH) is None


async def test_a_statement_that_fails_half_way_undoes_the_earlier_ones(
    database: Database, seeded: Seeded
):
    async def break_a_constraint() -> None:
        async with database.transaction() as s:
            await participants.get_or_create(s, "web", HASH, now=NOW)
            # A second open session for the seeded participant breaks a constraint.
            await sessions.create(s, seeded.participant_id, seeded.flow_version_id, {}, now=NOW)

    with pytest.raises(Conflict):
        await break_a_constraint()
    async with database.transaction() as s:
        assert await participants.find(s, "web", HASH) is None


async def test_sqlalchemys_own_statements_and_prepared_ones_are_one_transaction(
    database: Database, seeded: Seeded
):
    # On PostgreSQL the transaction is asyncpg's (storage.pg_transaction) and
    # SQLAlchemy's statements run inside it; SQLite's is the group commit's.
    async def both_then_crash() -> None:
        async with database.transaction() as s:
            await participants.get_or_create(s, "web", HASH, now=NOW)  # prepared
            renamed = text("UPDATE participants SET language = 'xx' WHERE id = :id")
            await s.execute(renamed, {"id": seeded.participant_id})  # SQLAlchemy's own
            raise RuntimeError("the engine crashed half-way")

    with pytest.raises(RuntimeError):
        await both_then_crash()
    async with database.transaction() as s:
        assert await participants.find(s, "web", HASH) is None
        assert (await participants.get(s, seeded.participant_id)).language != "xx"


async def test_objects_added_to_the_session_are_written_when_it_commits(database: Database):
    async with database.transaction() as s:
        s.add(ParticipantRow(channel="web", user_hash=HASH, created_at=NOW))  # never flushed
    async with database.transaction() as s:
        assert await participants.find(s, "web", HASH) is not None


async def test_a_failed_statement_of_sqlalchemys_own_leaves_the_next_transaction_whole(
    database: Database,
):
    async def query_a_missing_table() -> None:
        async with database.transaction() as s:
            await participants.get_or_create(s, "web", HASH, now=NOW)
            await s.execute(text("SELECT * FROM no_such_table"))

    with pytest.raises(SchemaOutOfDate):
        await query_a_missing_table()
    for _ in range(3):  # whichever pooled connection comes next
        async with database.transaction() as s:
            assert await participants.find(s, "web", HASH) is None
            await participants.get_or_create(s, "web", "ab" * 32, now=NOW)


async def test_a_full_sqlite_database_writes_nothing_and_says_so(tmp_path: Path):
    db = await Database.connect(f"sqlite+aiosqlite:///{tmp_path / 'full.db'}")
    try:
        await db.upgrade()

        async def fill_up() -> None:
            async with db.transaction() as s:
                pages = await s.scalar(text("PRAGMA page_count"))
                await participants.get_or_create(s, "web", HASH, now=NOW)
                # Forbid the file to grow: the next big write finds the disk full.
                await s.execute(text(f"PRAGMA max_page_count = {pages}"))
                for n in range(200):
                    await participants.get_or_create(s, "web", f"{n:0128x}", now=NOW)

        with pytest.raises(DatabaseFull, match="full"):
            await fill_up()
        async with db.transaction() as s:
            await s.execute(text("PRAGMA max_page_count = 1073741823"))
            assert await participants.find(s, "web", HASH) is None
    finally:
        await db.close()


async def test_a_sqlite_database_locked_by_another_process_is_busy(tmp_path: Path):
    path = tmp_path / "locked.db"
    db = await Database.connect(f"sqlite+aiosqlite:///{path}", sqlite_busy_timeout=0.1)
    try:
        await db.upgrade()
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            with pytest.raises(DatabaseBusy, match="try again in a moment"):
                async with db.transaction() as s:
                    await participants.get_or_create(s, "web", HASH, now=NOW)
        finally:
            other.execute("ROLLBACK")
            other.close()
        async with db.transaction() as s:  # usable again once released
            await participants.get_or_create(s, "web", HASH, now=NOW)
    finally:
        await db.close()


async def test_an_unreachable_server_is_named_without_the_password():
    url = "postgresql+asyncpg://consultbot:s3cret@127.0.0.1:1/consultbot"
    with pytest.raises(DatabaseUnavailable) as caught:
        await Database.connect(url)
    message = str(caught.value)
    assert "127.0.0.1:1" in message
    assert "connection refused" in message
    assert "CONSULTBOT_DATABASE_URL" in message
    assert "s3cret" not in message


async def test_an_unknown_host_is_named():
    with pytest.raises(DatabaseUnavailable, match=r"nowhere\.invalid:5432.*unknown host"):
        await Database.connect("postgresql+asyncpg://u@nowhere.invalid:5432/db")


async def test_a_missing_postgresql_database_says_to_create_it(postgres_server_url: str):
    url = make_url(postgres_server_url).set(database="consultbot_nowhere")
    with pytest.raises(DatabaseUnavailable, match=r"does not exist.*createdb consultbot_nowhere"):
        await Database.connect(url)


async def test_a_postgresql_database_closed_to_connections_is_unavailable(
    postgres_server_url: str,
):
    """`ALTER DATABASE ... ALLOW_CONNECTIONS false` (maintenance, a database
    being dropped): unavailable, said in words, not asyncpg's raw error."""
    name = "consultbot_closed"
    admin = await admin_connection(postgres_server_url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {name}")
        await admin.execute(f"CREATE DATABASE {name}")
        await admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
        url = make_url(postgres_server_url).set(database=name)
        with pytest.raises(
            DatabaseUnavailable, match=r"'consultbot_closed' .* takes no connections"
        ):
            await Database.connect(url)
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name}")
        await admin.close()


async def test_a_missing_sqlite_folder_is_named(tmp_path: Path):
    with pytest.raises(DatabaseUnavailable, match=r"folder .*missing.* does not exist"):
        await Database.connect(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'x.db'}")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql+aiomysql://u@h/db", "unsupported database driver"),
        ("sqlite+aiosqlite://", "in-memory"),
        ("not a url", "not a database URL"),
    ],
)
async def test_urls_that_cannot_work_are_refused_with_what_to_use(url: str, expected: str):
    with pytest.raises(StorageError, match=expected):
        await Database.connect(url)


@pytest.mark.empty_database
async def test_a_database_never_migrated_says_to_run_db_upgrade(database_url: str):
    db = await Database.connect(database_url)
    try:
        with pytest.raises(SchemaOutOfDate, match="consultbot db upgrade"):
            await db.check_schema()
        with pytest.raises(SchemaOutOfDate, match="consultbot db upgrade"):
            async with db.transaction() as s:
                await participants.find(s, "web", HASH)
    finally:
        await db.close()


async def test_the_url_shown_has_no_password(database: Database):
    db_url = make_url(database.url)
    assert db_url.password is None
    assert database.backend in ("sqlite", "postgresql")


async def _terminate_other_connections(database_url: str) -> None:
    import asyncpg

    url = make_url(database_url)
    admin = await asyncpg.connect(
        user=url.username, host=url.host, port=url.port, database=url.database
    )
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()


ONLY_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@ONLY_POSTGRESQL
async def test_after_a_postgresql_restart_the_next_transaction_reconnects(
    database: Database, database_url: str
):
    async with database.transaction() as s:
        await participants.get_or_create(s, "web", HASH, now=NOW)
    await _terminate_other_connections(database_url)  # as a server restart would
    # No ping per transaction (a round trip each): a connection closed by the
    # server is known closed once its end has reached this process; until then,
    # one transaction may fail with nothing written, and the next reconnects.
    try:
        async with database.transaction() as s:
            found = await participants.find(s, "web", HASH)
    except DatabaseUnavailable:
        async with database.transaction() as s:
            found = await participants.find(s, "web", HASH)
    assert found is not None


@ONLY_POSTGRESQL
async def test_a_connection_lost_mid_transaction_writes_nothing_and_says_so(
    database: Database, database_url: str
):

    async def lose_the_server_half_way() -> None:
        async with database.transaction() as s:
            await participants.get_or_create(s, "web", HASH, now=NOW)
            await _terminate_other_connections(database_url)
            await participants.get_or_create(s, "web", "77" * 32, now=NOW)

    with pytest.raises(DatabaseUnavailable, match="is the server running"):
        await lose_the_server_half_way()
    async with database.transaction() as s:
        assert await participants.find(s, "web", HASH) is None


async def test_a_transaction_inside_another_is_refused_not_deadlocked(database: Database):
    async def nest() -> None:
        async with database.transaction(), database.transaction():
            pass

    with pytest.raises(RuntimeError, match="inside another"):
        await nest()
    async with database.transaction() as s:  # the outer one was released
        await participants.get_or_create(s, "web", HASH, now=NOW)


async def test_errors_never_quote_what_residents_wrote(database: Database):
    words = "mon adresse est 12 rue des Lilas"

    async def write_to_a_missing_session() -> None:
        async with database.transaction() as s:
            await transcripts.append(s, 404, [TranscriptLine(Direction.IN, words, NOW)])

    with pytest.raises(Exception) as caught:  # noqa: PT011 - any error, as long as it is quiet
        await write_to_a_missing_session()
    assert words not in str(caught.value)
    assert words not in repr(caught.value)


@pytest.mark.parametrize(("option", "level"), [("", 1), ("?synchronous=full", 2)])
async def test_sqlite_durability_is_normal_unless_the_url_asks_for_full(
    tmp_path: Path, option: str, level: int
):
    db = await Database.connect(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}{option}")
    try:
        async with db.transaction() as s:
            assert await s.scalar(text("PRAGMA synchronous")) == level
            assert await s.scalar(text("PRAGMA journal_mode")) == "wal"
            assert await s.scalar(text("PRAGMA foreign_keys")) == 1
    finally:
        await db.close()


async def test_an_unknown_sqlite_durability_is_refused(tmp_path: Path):
    with pytest.raises(StorageError, match="synchronous must be normal or full"):
        await Database.connect(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}?synchronous=off")


async def test_a_read_sees_what_was_committed_and_writes_nothing(database: Database):
    async with database.transaction() as s:
        await participants.get_or_create(s, "web", HASH, now=NOW)
    async with database.read() as s:
        assert await participants.find(s, "web", HASH) is not None
        await participants.get_or_create(s, "web", "77" * 32, now=NOW)  # discarded
    async with database.read() as s:
        assert await participants.find(s, "web", "77" * 32) is None


async def test_a_read_neither_waits_for_a_writer_nor_holds_it_up(database: Database):
    # A writer holds its transaction open (on SQLite: the write lock) while a
    # read runs: the read answers with what was committed before, and the
    # writer commits while the read's snapshot is still open.
    async with database.transaction() as s:
        await participants.get_or_create(s, "web", HASH, now=NOW)
    writer_has_written = asyncio.Event()
    read_done = asyncio.Event()

    async def writer() -> None:
        async with database.transaction() as s:
            await participants.get_or_create(s, "web", "77" * 32, now=NOW)
            writer_has_written.set()
            await read_done.wait()  # committed only once the read has answered

    async def reader() -> tuple[bool, bool]:
        await writer_has_written.wait()
        async with database.read() as s:
            first = await participants.find(s, "web", HASH) is not None
            second = await participants.find(s, "web", "77" * 32) is not None
            read_done.set()
            await writing  # the writer commits while this snapshot is open
        return first, second

    writing = asyncio.ensure_future(writer())
    found = await asyncio.wait_for(reader(), timeout=30)
    assert found == (True, False)
    async with database.read() as s:
        assert await participants.find(s, "web", "77" * 32) is not None


async def test_a_read_sees_one_snapshot_whatever_is_committed_meanwhile(database: Database):
    # A check then a read in one read() agree (the webhook deliverer checks its
    # endpoint is still enabled, then reads the events to send).
    begun, committed = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        await begun.wait()
        async with database.transaction() as s:
            await participants.get_or_create(s, "web", "77" * 32, now=NOW)
        committed.set()

    writing = asyncio.ensure_future(writer())
    async with database.read() as s:
        assert await participants.find(s, "web", HASH) is None  # its snapshot is taken
        begun.set()
        await asyncio.wait_for(committed.wait(), timeout=30)
        assert await participants.find(s, "web", "77" * 32) is None  # committed since
    await writing
    async with database.read() as s:
        assert await participants.find(s, "web", "77" * 32) is not None


async def test_a_read_inside_a_transaction_is_refused_not_deadlocked(database: Database):
    async def nest() -> None:
        async with database.transaction(), database.read():
            pass

    with pytest.raises(RuntimeError, match="inside a transaction"):
        await nest()


@ONLY_POSTGRESQL
async def test_postgresql_commits_durably_unless_the_url_says_otherwise(database_url: str):
    for option, expected in (("", "on"), ("?synchronous_commit=off&pool_size=3", "off")):
        async with await Database.connect(database_url + option) as db, db.read() as s:
            assert await s.scalar(text("SHOW synchronous_commit")) == expected


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("?synchronous_commit=maybe", "synchronous_commit must be on, off"),
        ("?pool_size=none", "pool_size must be a whole number"),
        ("?pool_size=0", "pool_size must be a whole number"),
        ("?pool_timeout=soon", "pool_timeout must be seconds"),
        ("?pool_timeout=0", "pool_timeout must be seconds"),
    ],
)
async def test_wrong_postgresql_options_are_refused_with_what_to_write(option: str, expected: str):
    with pytest.raises(StorageError, match=expected):
        await Database.connect("postgresql+asyncpg://consultbot@127.0.0.1:5432/x" + option)
