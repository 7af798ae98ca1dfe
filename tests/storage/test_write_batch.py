"""Writes held for the transaction's next statement (storage.write_batch) give
what running them one by one gives, on both databases: every later read sees
them, an UPDATE sees the rows written before it, a broken constraint among them
keeps nothing of the transaction, and a rolled-back transaction sends none."""

import asyncio
import datetime as dt

import pytest
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import Database
from storage.errors import Conflict
from storage.models import AnswerRow, ParticipantRow, table
from storage.prepared import BATCH, Prepared
from storage.write_batch import Batch, Write, together
from tests.storage.seeding import Seeded

AT = dt.datetime(2026, 6, 15, 9, 30, tzinfo=dt.UTC)
_answers = table(AnswerRow)
_ADD = Prepared(insert(_answers), deferrable=True)
_SUPERSEDE = Prepared(
    update(_answers).where(
        _answers.c.session_id == bindparam("b_session"),
        _answers.c.question_id == bindparam("b_question"),
        _answers.c.superseded_at.is_(None),
    ),
    deferrable=True,
)
_CURRENT = Prepared(
    select(_answers.c.question_id, _answers.c.value)
    .where(_answers.c.session_id == bindparam("b_session"), _answers.c.superseded_at.is_(None))
    .order_by(_answers.c.question_id)
)


def _answer(seeded: Seeded, question: str, value: object) -> dict[str, object]:
    return {
        "session_id": seeded.session_id,
        "question_id": question,
        "value": value,
        "question_text": "?",
        "language": "fr",
        "answered_at": AT,
    }


async def _current(database: Database, seeded: Seeded) -> list[tuple[str, object]]:
    async with database.read() as s:
        return list((await _CURRENT.execute(s, {"b_session": seeded.session_id})).rows)


async def test_a_read_after_held_writes_sees_them(database: Database, seeded: Seeded):
    async with database.transaction() as s:
        await _ADD.write(s, _answer(seeded, "mode", "train"))
        await _ADD.write_many(s, [_answer(seeded, "age", 30), _answer(seeded, "cp", "45000")])
        prepared = (await _CURRENT.execute(s, {"b_session": seeded.session_id})).rows
        # A statement of SQLAlchemy's own sees them too.
        counted = await s.scalar(
            select(func.count()).where(AnswerRow.session_id == seeded.session_id)
        )
    assert prepared == [("age", 30), ("cp", "45000"), ("mode", "train")]
    assert counted == 3


async def test_an_update_sees_the_rows_held_before_it(database: Database, seeded: Seeded):
    async with database.transaction() as s:
        await _ADD.write(s, _answer(seeded, "mode", "train"))
        # As one statement, this UPDATE would not see the row above: it is sent first.
        await _SUPERSEDE.write(
            s, {"b_session": seeded.session_id, "b_question": "mode", "superseded_at": AT}
        )
        await _ADD.write(s, _answer(seeded, "mode", "vélo"))
    assert await _current(database, seeded) == [("mode", "vélo")]


def _held(s: AsyncSession) -> list[Write] | None:
    """What the session's transaction holds (None: nothing is held on SQLite)."""
    batch = s.info.get(BATCH)
    return None if batch is None else list(batch.held)


async def _history(database: Database, seeded: Seeded) -> list[tuple[str, object, bool]]:
    async with database.read() as s:
        rows = await s.execute(
            select(AnswerRow.question_id, AnswerRow.value, AnswerRow.superseded_at.is_not(None))
            .where(AnswerRow.session_id == seeded.session_id)
            .order_by(AnswerRow.id)
        )
        return [tuple(row) for row in rows]


async def test_an_answer_superseded_and_its_replacement_are_sent_together_in_order(
    database: Database, seeded: Seeded
):
    async with database.transaction() as s:
        await _ADD.write(s, _answer(seeded, "mode", "train"))
    async with database.transaction() as s:
        await _CURRENT.execute(s, {"b_session": seeded.session_id})  # begins, as a message
        # The replacement may only be added once the answer it replaces is
        # superseded (one current answer per question): both go in one statement.
        await _SUPERSEDE.write(
            s, {"b_session": seeded.session_id, "b_question": "mode", "superseded_at": AT}
        )
        await _ADD.write(s, _answer(seeded, "mode", "vélo"))
        held = _held(s)
        assert held is None or [write.after for write in held] == [(), (0,)]
    assert await _current(database, seeded) == [("mode", "vélo")]
    assert await _history(database, seeded) == [("mode", "train", True), ("mode", "vélo", False)]


_participants = table(ParticipantRow)
_ENROL = Prepared(insert(_participants).returning(_participants.c.id))
_ADD_READ_BACK = Prepared(insert(_answers).returning(_answers.c.id))


def _sent(s: AsyncSession) -> list[str]:
    """The statements the session's PostgreSQL connection runs from now on,
    once `_logged` has let asyncpg log the last one."""
    sent: list[str] = []
    s.info[BATCH].driver.add_query_logger(lambda record: sent.append(record.query))
    return sent


async def _logged(sent: list[str]) -> list[str]:
    await asyncio.sleep(0)  # asyncpg logs a statement at the loop's next turn
    return sent


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_an_insert_read_back_takes_the_held_writes_along_in_one_statement(
    database: Database, seeded: Seeded
):
    async with database.transaction() as s:
        sent = _sent(s)
        await _ADD.write(s, _answer(seeded, "mode", "train"))
        enrolled = await _ENROL.execute(s, {"channel": "web", "user_hash": "h9", "created_at": AT})
        assert len(await _logged(sent)) == 1  # one round trip
        assert sent[0].startswith("WITH w0 AS (INSERT INTO answers ")
        assert _held(s) == []
        # What was taken along is written, as if sent first.
        assert (await _CURRENT.execute(s, {"b_session": seeded.session_id})).rows == [
            ("mode", "train")
        ]
    async with database.read() as s:
        found = await s.scalar(
            select(ParticipantRow.user_hash).where(ParticipantRow.id == enrolled.scalar())
        )
    assert found == "h9"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_an_insert_into_a_table_a_held_write_touches_sends_them_first(
    database: Database, seeded: Seeded
):
    async with database.transaction() as s:
        sent = _sent(s)
        await _ADD.write(s, _answer(seeded, "mode", "train"))
        await _ADD_READ_BACK.execute(s, _answer(seeded, "age", 30))
        statements = [query.split(" (")[0] for query in await _logged(sent)]
        assert statements == ["INSERT INTO answers"] * 2
    assert await _current(database, seeded) == [("age", 30), ("mode", "train")]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_an_insert_whose_parameters_carry_no_type_waits_for_the_writes_before_it(
    database: Database, seeded: Seeded
):
    async with database.transaction() as s:
        await _ADD.write(s, _answer(seeded, "mode", "train"))
    untyped = Write(
        "INSERT INTO answers (session_id, question_id, value, question_text, language, "
        "answered_at) VALUES ($1, $2, $3, $4, $5, $6)",
        (seeded.session_id, "mode", '"vélo"', "?", "fr", AT),
        "answers",
        False,
    )
    async with database.transaction() as s:
        await _CURRENT.execute(s, {"b_session": seeded.session_id})  # begins, as a message
        await _SUPERSEDE.write(
            s, {"b_session": seeded.session_id, "b_question": "mode", "superseded_at": AT}
        )
        batch = s.info[BATCH]
        assert isinstance(batch, Batch)
        await batch.hold(untyped)  # in a SELECT list, $3 would be text, not JSONB
        assert batch.held == [untyped]  # what was held before it is sent
    assert await _current(database, seeded) == [("mode", "vélo")]


async def test_a_broken_constraint_among_held_writes_keeps_nothing(database: Database):
    add_participant = Prepared(insert(table(ParticipantRow)), deferrable=True)
    row = {"channel": "web", "user_hash": "ab" * 32, "created_at": AT}

    async def insert_twice() -> None:
        async with database.transaction() as s:
            await add_participant.write(s, {**row, "user_hash": "cd" * 32})
            await add_participant.write(s, row)
            await add_participant.write(s, row)

    with pytest.raises(Conflict):
        await insert_twice()
    async with database.read() as s:
        assert await s.scalar(select(func.count()).select_from(ParticipantRow)) == 0


async def test_a_transaction_that_fails_sends_nothing_it_held(database: Database, seeded: Seeded):
    async def fail() -> None:
        async with database.transaction() as s:
            await _ADD.write(s, _answer(seeded, "mode", "train"))
            raise RuntimeError("the message could not be handled")

    with pytest.raises(RuntimeError):
        await fail()
    assert await _current(database, seeded) == []
    async with database.transaction() as s:  # the connection's next transaction is clean
        await _ADD.write(s, _answer(seeded, "mode", "bus"))
    assert await _current(database, seeded) == [("mode", "bus")]


def test_statements_put_together_number_their_parameters_in_turn():
    sql, arguments = together(
        [
            Write("UPDATE a SET x=$1 WHERE id=$2", (1, 2), "a", True),
            Write("INSERT INTO b (y, z) VALUES ($1, $2), ($3, $4)", (3, 4, 5, 6), "b", False),
            Write("UPDATE c SET x=$1 WHERE id=$12", (7,) * 12, "c", True),
        ]
    )
    assert sql == (
        "WITH w0 AS (UPDATE a SET x=$1 WHERE id=$2), "
        "w1 AS (INSERT INTO b (y, z) VALUES ($3, $4), ($5, $6)), "
        "w2 AS (UPDATE c SET x=$7 WHERE id=$18) SELECT 1"
    )
    assert arguments == [1, 2, 3, 4, 5, 6, *(7,) * 12]


def test_an_insert_ordered_after_writes_adds_its_rows_from_a_count_of_what_they_return():
    sql, arguments = together(
        [
            Write("UPDATE a SET x=$1::INT WHERE id=$2::INT", (1, 2), "a", True),
            Write("DELETE FROM a WHERE id=$1::INT RETURNING a.id", (3,), "a", True),
            Write(
                "INSERT INTO a (y, z) VALUES ($1::INT, $2::TEXT), ($3::INT, $4::TEXT)"
                " RETURNING a.id",
                (4, 5, 6, 7),
                "a",
                False,
                after=(0, 1),
            ),
        ]
    )
    assert sql == (
        "WITH w0 AS (UPDATE a SET x=$1::INT WHERE id=$2::INT RETURNING 1), "
        "w1 AS (DELETE FROM a WHERE id=$3::INT RETURNING a.id), "
        "w2 AS (INSERT INTO a (y, z) SELECT v.* FROM (VALUES ($4::INT, $5::TEXT), "
        "($6::INT, $7::TEXT)) AS v, (SELECT count(*) FROM w0) AS w0_done, "
        "(SELECT count(*) FROM w1) AS w1_done RETURNING a.id) SELECT 1"
    )
    assert arguments == [1, 2, 3, 4, 5, 6, 7]


async def test_a_write_held_in_a_read_is_discarded_and_never_reaches_a_later_transaction(
    database: Database, seeded: Seeded
):
    async with database.read() as s:
        await _CURRENT.execute(s, {"b_session": seeded.session_id})  # the transaction begins
        await _ADD.write(s, _answer(seeded, "mode", "train"))  # held, then discarded
    async with database.transaction() as s:  # the same pooled connection, maybe
        counted = await s.scalar(select(func.count()).select_from(AnswerRow))
    assert counted == 0
    assert await _current(database, seeded) == []
