"""Migrations, up and down, on both backends; the models match them."""

import asyncio
import datetime as dt
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import bindparam, func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from storage import answers, consultations, erasure, openings, participants
from storage.columns import Json
from storage.database import Database
from storage.errors import SchemaOutOfDate, StorageError
from storage.models import AnswerRow, Base, ErasedAnswerRow, SessionRow
from tests.storage.seeding import NOW, seed

DAY = dt.date(2026, 12, 6)

pytestmark = pytest.mark.empty_database  # each test migrates it itself

TABLES = {
    "participants",
    "consultations",
    "flow_versions",
    "sessions",
    "transcript_lines",
    "answers",
    "processed_inbound",
    "outbox_events",
    "audit_records",
    "erased_answers",
    "console_users",
    "console_links",
    "console_sessions",
    "login_failures",
    "pre_consent",
    "erasure_receipts",
    "readiness_probe",
    "team_messages",
    "contributions",
    "api_tokens",
    "webhook_endpoints",
    "saved_replies",
}


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


async def test_upgrade_creates_every_table_at_the_head_revision(database_url: str):
    db = await Database.connect(database_url)
    try:
        assert await db.current_revision() is None
        await db.upgrade()
        assert await db.current_revision() == Database.head_revision()
        assert await _tables(db) >= TABLES
        await db.check_schema()
    finally:
        await db.close()


async def test_the_models_match_the_migrations(database: Database):
    async with database.engine.connect() as connection:
        differences = await connection.run_sync(
            lambda c: compare_metadata(
                MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata
            )
        )
    assert differences == []


async def test_downgrade_to_base_drops_everything_and_upgrade_comes_back(database: Database):
    await database.downgrade("base")
    assert await database.current_revision() is None
    assert not (TABLES & await _tables(database))
    await database.upgrade()
    assert await database.current_revision() == Database.head_revision()
    assert await _tables(database) >= TABLES


async def test_concurrent_start_ups_migrate_once(database_url: str):
    dbs = [await Database.connect(database_url) for _ in range(3)]
    try:
        await asyncio.gather(*(db.upgrade() for db in dbs))
        await dbs[0].upgrade()  # already at head: nothing to do
        assert {await db.current_revision() for db in dbs} == {Database.head_revision()}
    finally:
        for db in dbs:
            await db.close()


async def _stamp(db: Database, revision: str) -> None:
    async with db.engine.begin() as connection:
        await connection.execute(
            text("UPDATE alembic_version SET version_num = :r"), {"r": revision}
        )


async def test_a_database_migrated_by_a_newer_version_is_refused_untouched(database: Database):
    await _stamp(database, "9999")  # as a later consultbot would leave it
    with pytest.raises(SchemaOutOfDate, match=r"9999.*newer version"):
        await database.upgrade()
    with pytest.raises(SchemaOutOfDate, match="newer version"):
        await database.check_schema()
    assert await database.current_revision() == "9999"


async def test_an_unknown_target_revision_lists_the_known_ones(database: Database):
    known = (
        r"known: base, 0001, 0002, 0003, 0004, 0005, 0011, 0008, 0006, 0012, 0014, 0015, 0016, "
        r"0017, 0018, 0019, 0020, 0021, 0022"
    )
    with pytest.raises(StorageError, match=r"unknown revision 'nope'; " + known):
        await database.downgrade("nope")
    assert await database.current_revision() == Database.head_revision()


async def test_0014_fills_the_sessions_progress_columns_from_their_states(database_url: str):
    db = await Database.connect(database_url)
    try:
        await db.upgrade("0012")  # the revision before 0014
        async with db.transaction() as s:
            deployed = await consultations.deploy(
                s, "mobilite", "id: mobilite\nquestions: []\n", deployed_by="test", now=NOW
            )
            resident, _ = await participants.get_or_create(s, "telegram", "a1" * 32, now=NOW)
            for number, state in enumerate(
                (
                    {"language": "fr", "question_id": None, "skipped": ["mode"]},
                    {"language": "en", "question_id": "why", "skipped": []},
                ),
                start=1,
            ):
                await s.execute(
                    text(
                        "INSERT INTO sessions (id, participant_id, flow_version_id, state, "
                        "status, human_requested, created_at, updated_at, last_activity_at) "
                        "VALUES (:id, :p, :v, :state, 'completed', false, :now, :now, :now)"
                    ).bindparams(bindparam("state", type_=Json)),
                    {
                        "id": number,
                        "p": resident.id,
                        "v": deployed.version.id,
                        "state": state,
                        "now": NOW,
                    },
                )
            await s.execute(  # a row referring to a session: the table is altered, not copied
                text(
                    "INSERT INTO transcript_lines (session_id, direction, text, at) "
                    "VALUES (1, 'in', 'bonjour', :now)"
                ),
                {"now": NOW},
            )
        await db.upgrade()
        async with db.read() as s:
            rows = (
                await s.execute(
                    select(
                        SessionRow.id,
                        SessionRow.language,
                        SessionRow.question_id,
                        SessionRow.skipped,
                        SessionRow.replaced,
                    ).order_by(SessionRow.id)
                )
            ).all()
        assert [tuple(row) for row in rows] == [
            (1, "fr", None, ["mode"], True),
            (2, "en", "why", [], False),
        ]
    finally:
        await db.close()


PLACES_FLOW = """id: lycees
questions:
  - id: role
    type: choice
  - id: postal_code
    type: postal_code
  - id: home_commune
    type: commune
  - id: school_commune
    type: commune
"""


async def test_0015_fills_the_residents_departement_from_their_place_answers(database_url: str):
    db = await Database.connect(database_url)
    try:
        await db.upgrade("0014")  # the revision before 0015
        async with db.transaction() as s:
            places = await consultations.deploy(
                s, "lycees", PLACES_FLOW, deployed_by="test", now=NOW
            )
            other = await consultations.deploy(  # no place question
                s, "mobilite", "id: mobilite\nquestions: []\n", deployed_by="test", now=NOW
            )
            # Session ids far apart: filled in several batches.
            stored = {
                1: (places, [("role", "student", False), ("postal_code", "45000", False)]),
                # A changed postal code: the current one counts.
                2: (places, [("postal_code", "45000", True), ("postal_code", "37000", False)]),
                # No postal code: the home commune, before the school's (flow order).
                40_001: (
                    places,
                    [("school_commune", "45234", False), ("home_commune", "2B033", False)],
                ),
                40_002: (places, [("postal_code", "20090", False)]),  # Ajaccio: 2A
                40_003: (places, [("role", "staff", False)]),
                40_004: (other, [("postal_code", "45000", False)]),  # not a place question there
            }
            for number, (deployed, given) in stored.items():
                resident, _ = await participants.get_or_create(
                    s, "telegram", f"{number:064x}", now=NOW
                )
                await s.execute(
                    text(
                        "INSERT INTO sessions (id, participant_id, flow_version_id, state, "
                        "status, human_requested, created_at, updated_at, last_activity_at) "
                        "VALUES (:id, :p, :v, '{}', 'completed', false, :now, :now, :now)"
                    ),
                    {"id": number, "p": resident.id, "v": deployed.version.id, "now": NOW},
                )
                for question, value, superseded in given:
                    await s.execute(
                        text(
                            "INSERT INTO answers (session_id, question_id, value, question_text, "
                            "language, answered_at, superseded_at) "
                            "VALUES (:s, :q, :value, 'q', 'fr', :now, :gone)"
                        ).bindparams(bindparam("value", type_=Json)),
                        {
                            "s": number,
                            "q": question,
                            "value": value,
                            "now": NOW,
                            "gone": NOW if superseded else None,
                        },
                    )
        await db.upgrade()
        async with db.read() as s:
            rows = await s.execute(
                select(SessionRow.id, SessionRow.departement).order_by(SessionRow.id)
            )
            found = dict(rows.tuples().all())
        assert found == {1: "45", 2: "37", 40_001: "2B", 40_002: "2A", 40_003: None, 40_004: None}
        await db.downgrade("0014")  # and back
        await db.upgrade()
    finally:
        await db.close()


async def _open_message_function(db: Database, arguments: int = 4) -> int:
    """How many functions named consultbot_open_message, taking `arguments`,
    PostgreSQL knows."""
    async with db.engine.connect() as connection:
        found = await connection.scalar(
            text(
                "SELECT count(*) FROM pg_proc "
                "WHERE proname = 'consultbot_open_message' AND pronargs = :n"
            ),
            {"n": arguments},
        )
    return int(found or 0)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_0017_creates_the_open_message_function_and_its_downgrade_drops_it(
    database: Database,
):
    assert await _open_message_function(database) == 1
    await database.downgrade("0016")
    assert await _open_message_function(database) == 0
    await database.upgrade()
    assert await _open_message_function(database) == 1


async def _open_message_body(database: Database, arguments: int = 4) -> str:
    async with database.engine.connect() as connection:
        body = await connection.scalar(
            text(
                "SELECT prosrc FROM pg_proc "
                "WHERE proname = 'consultbot_open_message' AND pronargs = :n"
            ),
            {"n": arguments},
        )
    return str(body)


async def _open_message_locks_newcomers(database: Database) -> bool:
    return "pg_advisory_xact_lock" in await _open_message_body(database)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_0018_makes_the_open_message_function_lock_newcomers_and_its_downgrade_not(
    database: Database,
):
    assert await _open_message_locks_newcomers(database)
    await database.downgrade("0017")
    assert await _open_message_function(database) == 1
    assert not await _open_message_locks_newcomers(database)
    await database.upgrade()
    assert await _open_message_locks_newcomers(database)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_0022_adds_the_open_message_function_that_reads_ahead_and_keeps_0018s(
    database: Database,
):
    body = await _open_message_body(database, arguments=7)
    assert "FROM pre_consent" in body
    assert "FROM flow_versions" in body
    assert "pg_advisory_xact_lock" in body
    await database.downgrade("0021")
    assert await _open_message_function(database, arguments=7) == 0
    assert await _open_message_locks_newcomers(database)  # 0018's, for the previous version
    await database.upgrade()
    assert await _open_message_function(database, arguments=7) == 1


async def test_0021_keeps_the_openings_counted_and_its_downgrade_adds_the_shards_up(
    database_url: str,
):
    db = await Database.connect(database_url)
    try:
        await db.upgrade("0020")
        await _openings(db, "INSERT INTO openings VALUES ('mobilite', '2026-12-06', 'web', '', 3)")
        await db.upgrade()
        resident = next(h for h in ("a1" * 32, "b2" * 32) if openings.shard_of(h) != 0)
        async with db.transaction() as s:
            await openings.count(s, "mobilite", "web", None, day=DAY, user_hash=resident)
            await openings.count(s, "mobilite", "web", None, day=DAY, user_hash=resident)
        assert await _openings(db, "SELECT shard, opened FROM openings ORDER BY shard") == [
            (0, 3),
            (openings.shard_of(resident), 2),
        ]
        await db.downgrade("0020")
        assert await _openings(db, "SELECT * FROM openings") == [
            ("mobilite", "2026-12-06", "web", "", 5)
        ]
    finally:
        await db.close()


async def _openings(db: Database, statement: str) -> list[tuple[object, ...]]:
    async with db.engine.begin() as connection:
        result = await connection.execute(text(statement))
        return [tuple(row) for row in result] if result.returns_rows else []


async def test_0023_keeps_every_row_index_and_key_and_gives_no_erased_id_again(
    database_url: str,
):
    """A database of the previous version, whose newest answer was erased: after
    the upgrade its rows, indexes and foreign keys are all there, and a new
    answer gets an id above the erased one (on PostgreSQL, as before)."""
    db = await Database.connect(database_url)
    try:
        await db.upgrade("0022")
        kept, erased = await seed(db), await seed(db, user_hash="cd" * 32)
        for seeded in (kept, erased):
            async with db.transaction() as s:
                await _free_text(s, seeded.session_id)
        async with db.transaction() as s:
            await erasure.delete_participant_data(
                s, erased.participant_id, now=NOW, keep_anonymised_answers=False
            )
        before = await _schema(db)
        await db.upgrade("0023")
        assert await _schema(db) == before
        async with db.transaction() as s:
            assert await s.scalar(select(func.count()).select_from(AnswerRow)) == 1
            new = await _free_text(s, kept.session_id, question="other")
            erased_id = await s.scalar(select(func.max(ErasedAnswerRow.answer_id)))
        assert new > erased_id
        with pytest.raises(DBAPIError, match=r"(?i)foreign key"):  # the foreign keys hold
            async with db.transaction() as s:
                await _free_text(s, erased.session_id)
        await db.downgrade("0022")  # the tables stay as they are
        await db.upgrade()
    finally:
        await db.close()


async def test_0025_has_pending_answers_found_to_hold_no_personal_data_scanned_again(
    database_url: str,
):
    """Names are personal data since 0025: a pending answer scanned before it as
    holding none is unknown again (scanned at the next filter); one found to
    hold some, and decided answers, are as they were."""
    db = await Database.connect(database_url)
    try:
        await db.upgrade("0024")
        seeded = await seed(db)
        async with db.transaction() as s:
            ids = [await _free_text(s, seeded.session_id, question=q) for q in ("a", "b", "c", "d")]
        scanned = {ids[0]: False, ids[1]: True, ids[2]: False, ids[3]: None}
        async with db.transaction() as s:
            for answer_id, found in scanned.items():
                await s.execute(
                    text("UPDATE answers SET personal_data = :found WHERE id = :id"),
                    {"found": found, "id": answer_id},
                )
            await s.execute(
                text("UPDATE answers SET moderation_status = 'approved' WHERE id = :id"),
                {"id": ids[2]},
            )
        await db.upgrade("0025")
        async with db.read() as s:
            rows = await s.execute(select(AnswerRow.id, AnswerRow.personal_data))
            after = dict(rows.tuples().all())
        assert after == {ids[0]: None, ids[1]: True, ids[2]: False, ids[3]: None}
        await db.downgrade("0024")
        await db.upgrade()
    finally:
        await db.close()


async def _free_text(s: Any, session_id: int, question: str = "why") -> int:
    return await answers.record(
        s,
        session_id,
        question,
        "trop cher",
        question_text="?",
        language="fr",
        now=NOW,
        needs_moderation=True,
    )


async def _schema(db: Database) -> dict[str, object]:
    """Each table's columns, indexes and foreign keys, as the database has them."""

    def read(connection: Any) -> dict[str, object]:
        inspector = inspect(connection)
        return {
            table: (
                [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
                sorted(i["name"] or "" for i in inspector.get_indexes(table)),
                sorted(str(sorted(k.items())) for k in inspector.get_foreign_keys(table)),
            )
            for table in sorted(inspector.get_table_names())
        }

    async with db.engine.connect() as connection:
        return await connection.run_sync(read)
