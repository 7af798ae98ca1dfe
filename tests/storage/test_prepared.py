"""Prepared statements store and read exactly what SQLAlchemy does, on both
backends, and fail with the same StorageErrors."""

import datetime as dt

import pytest
from sqlalchemy import bindparam, insert, select, update

from storage import participants
from storage.database import Database
from storage.errors import Conflict
from storage.models import AnswerRow, ModerationStatus, ParticipantRow, table
from storage.prepared import Prepared
from tests.storage.seeding import Seeded

PARIS = dt.timezone(dt.timedelta(hours=2))
AT = dt.datetime(2026, 6, 15, 11, 30, 15, 123456, tzinfo=PARIS)

_answers = table(AnswerRow)
_INSERT = Prepared(insert(_answers).returning(_answers.c.id, _answers.c.answered_at))
_READ = Prepared(
    select(_answers.c.value, _answers.c.answered_at, _answers.c.tags, _answers.c.raw_text).where(
        _answers.c.id == bindparam("b_id")
    )
)
_PENDING = Prepared(
    select(_answers.c.id).where(
        _answers.c.moderation_status == ModerationStatus.PENDING.value,
        _answers.c.session_id == bindparam("b_session"),
    )
)
_SUPERSEDE = Prepared(update(_answers).where(_answers.c.session_id == bindparam("b_session")))


def _answer(
    seeded: Seeded, value: object, question: str = "mode", **more: object
) -> dict[str, object]:
    return {
        "session_id": seeded.session_id,
        "question_id": question,
        "value": value,
        "question_text": "Comment venez-vous ?",
        "language": "fr",
        "answered_at": AT,
        **more,
    }


async def test_values_round_trip_as_sqlalchemy_reads_them(database: Database, seeded: Seeded):
    value = {"choice": "train", "scores": [1, 2.5], "note": "à l'heure"}
    async with database.transaction() as s:
        answer_id, answered_at = (await _INSERT.execute(s, _answer(seeded, value))).one()
        prepared = (await _READ.execute(s, {"b_id": answer_id})).one()
    async with database.transaction() as s:
        orm = (
            await s.execute(
                select(
                    AnswerRow.value, AnswerRow.answered_at, AnswerRow.tags, AnswerRow.raw_text
                ).where(AnswerRow.id == answer_id)
            )
        ).one()
    assert answered_at == AT
    assert answered_at.tzinfo is not None
    assert prepared == tuple(orm) == (value, AT, None, None)


async def test_fixed_values_and_row_counts(database: Database, seeded: Seeded):
    async with database.transaction() as s:
        await _INSERT.execute(s, _answer(seeded, "train"))
        pending_id = (
            await _INSERT.execute(
                s, _answer(seeded, "x", "avis", moderation_status=ModerationStatus.PENDING.value)
            )
        ).one()[0]
        pending = await _PENDING.execute(s, {"b_session": seeded.session_id})
        touched = await _SUPERSEDE.execute(s, {"b_session": seeded.session_id, "superseded_at": AT})
    assert pending.rows == [(pending_id,)]
    assert touched.rowcount == 2


async def test_many_rows_in_one_call(database: Database, seeded: Seeded):
    async with database.transaction() as s:
        await _INSERT.execute_many(s, [_answer(seeded, n, f"q{n}") for n in range(3)])
    async with database.transaction() as s:
        values = (
            await s.scalars(
                select(AnswerRow.value).where(AnswerRow.session_id == seeded.session_id)
            )
        ).all()
    assert sorted(values) == [0, 1, 2]


async def test_a_broken_constraint_is_a_conflict_and_nothing_is_kept(database: Database):
    insert_participant = Prepared(insert(table(ParticipantRow)))
    row = {"channel": "web", "user_hash": "ab" * 32, "created_at": AT}

    async def insert_twice() -> None:
        async with database.transaction() as s:
            await insert_participant.execute(s, {**row, "user_hash": "cd" * 32})
            await insert_participant.execute(s, row)
            await insert_participant.execute(s, row)

    with pytest.raises(Conflict):
        await insert_twice()
    async with database.transaction() as s:
        assert await participants.find(s, "web", "cd" * 32) is None


async def test_each_timestamp_is_stored_as_given(database: Database, seeded: Seeded):
    later = AT + dt.timedelta(minutes=5)
    async with database.transaction() as s:
        first = (await _INSERT.execute(s, _answer(seeded, 1, "a"))).one()
        second = (await _INSERT.execute(s, _answer(seeded, 2, "b", answered_at=later))).one()
        third = (await _INSERT.execute(s, _answer(seeded, 3, "c"))).one()
    assert [first[1], second[1], third[1]] == [AT, later, AT]
