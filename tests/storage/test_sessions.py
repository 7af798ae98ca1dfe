import asyncio
import datetime as dt

import pytest

from storage import sessions
from storage.database import Database
from storage.errors import Conflict
from storage.models import SessionStatus
from tests.storage.seeding import NOW, Seeded


async def test_the_open_session_is_found_with_its_state(database: Database, seeded: Seeded):
    async with database.transaction() as s:
        found = await sessions.find_open(s, seeded.participant_id, lock=True)
    assert found is not None
    assert found.id == seeded.session_id
    assert found.state == {"step": 0}
    assert found.status is SessionStatus.ACTIVE
    assert found.is_open
    assert found.created_at == found.last_activity_at == NOW


async def test_save_writes_state_status_and_activity(database: Database, seeded: Seeded):
    later = NOW + dt.timedelta(minutes=3)
    state = {"step": 2, "answers": {"mode": "car"}, "lang": "fr"}
    async with database.transaction() as s:
        await sessions.save(s, seeded.session_id, now=later, state=state, human_requested=True)
    async with database.transaction() as s:
        stored = await sessions.get(s, seeded.session_id)
    assert stored.state == state
    assert stored.human_requested
    assert stored.updated_at == stored.last_activity_at == later
    assert stored.created_at == NOW


async def test_a_completed_session_is_no_longer_open(database: Database, seeded: Seeded):
    async with database.transaction() as s:
        await sessions.save(s, seeded.session_id, now=NOW, status=SessionStatus.COMPLETED)
        assert await sessions.find_open(s, seeded.participant_id) is None
        latest = await sessions.latest(s, seeded.participant_id)
    assert latest is not None
    assert latest.status is SessionStatus.COMPLETED


async def test_a_participant_cannot_have_two_open_sessions(database: Database, seeded: Seeded):
    with pytest.raises(Conflict, match=r"uq_sessions_open_participant|sessions\.participant_id"):
        async with database.transaction() as s:
            await sessions.create(s, seeded.participant_id, seeded.flow_version_id, {}, now=NOW)
    async with database.transaction() as s:
        await sessions.save(s, seeded.session_id, now=NOW, status=SessionStatus.ABANDONED)
        restarted = await sessions.create(
            s, seeded.participant_id, seeded.flow_version_id, {}, now=NOW
        )
        assert (await sessions.find_open(s, seeded.participant_id)) == restarted


async def test_inactive_sessions_expire(database: Database, seeded: Seeded):
    week_later = NOW + dt.timedelta(days=8)
    async with database.transaction() as s:
        expired = await sessions.expire_inactive(
            s, inactive_since=week_later - dt.timedelta(days=7), now=week_later
        )
        stored = await sessions.get(s, seeded.session_id)
        counts = await sessions.count_by_status(s)
    assert expired == 1
    assert stored.status is SessionStatus.EXPIRED
    assert stored.last_activity_at == NOW  # housekeeping is not activity
    assert counts[SessionStatus.EXPIRED] == 1
    assert counts[SessionStatus.ACTIVE] == 0


async def test_recent_sessions_do_not_expire(database: Database, seeded: Seeded):
    async with database.transaction() as s:
        expired = await sessions.expire_inactive(
            s, inactive_since=NOW - dt.timedelta(days=7), now=NOW
        )
    assert expired == 0


async def _increment(db: Database, participant_id: int, holding=None) -> None:
    """Read-modify-write of the session state, as the conversation service does;
    `holding`, if given, is awaited between the read and the write."""
    async with db.transaction() as s:
        current = await sessions.find_open(s, participant_id, lock=True)
        assert current is not None
        assert isinstance(current.state, dict)
        step = current.state["step"]
        if holding is not None:
            await holding()
        await sessions.save(s, current.id, now=NOW, state={"step": step + 1})


async def test_the_session_lock_serialises_concurrent_writers(
    database: Database, database_url: str, seeded: Seeded, contention
):
    # Two Database objects are two processes: nothing but the database orders them.
    other = await Database.connect(database_url)
    second: list[asyncio.Task[None]] = []

    async def let_the_other_come() -> None:  # it reads while this one has read
        contention.holding()
        second.append(contention.start(_increment(other, seeded.participant_id)))
        await contention.until_waiting(1)

    try:
        await _increment(database, seeded.participant_id, let_the_other_come)
        await second[0]
    finally:
        await other.close()
    async with database.transaction() as s:
        stored = await sessions.get(s, seeded.session_id)
    assert stored.state == {"step": 2}  # no update lost
