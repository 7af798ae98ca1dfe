import asyncio
import datetime as dt

from storage import outbox
from storage.database import Database
from tests.storage.seeding import NOW, Seeded


async def test_events_are_pending_until_delivered(database: Database, seeded: Seeded):
    payload = {"session": seeded.session_id, "answers": {"mode": "car"}}
    async with database.transaction() as s:
        first = await outbox.enqueue(
            s, "session.completed", payload, now=NOW, participant_id=seeded.participant_id
        )
        second = await outbox.enqueue(s, "session.completed", {"session": 0}, now=NOW)
    async with database.transaction() as s:
        # The seeded deployment announced itself first (consultation.deployed).
        pending = [e for e in await outbox.pending(s, now=NOW) if e.type == "session.completed"]
        assert [e.id for e in pending] == [first, second]
        assert pending[0].payload == payload
        assert pending[0].type == "session.completed"
        assert pending[0].participant_id == seeded.participant_id
        assert await outbox.mark_delivered(s, [first], now=NOW) == 1
    async with database.transaction() as s:
        left = await outbox.pending(s, now=NOW)
        assert [e.id for e in left if e.type == "session.completed"] == [second]
        assert await outbox.mark_delivered(s, [first], now=NOW) == 0


async def test_a_failed_delivery_is_retried_after_a_while(database: Database):
    async with database.transaction() as s:
        event_id = await outbox.enqueue(s, "session.completed", {}, now=NOW)
        await outbox.mark_failed(s, event_id, now=NOW)
    retry = dt.timedelta(seconds=30)
    async with database.transaction() as s:
        soon = await outbox.pending(s, now=NOW + dt.timedelta(seconds=5), retry_after=retry)
        later = await outbox.pending(s, now=NOW + dt.timedelta(seconds=31), retry_after=retry)
    assert soon == []
    assert [(e.id, e.attempts, e.last_attempt_at) for e in later] == [(event_id, 1, NOW)]


async def _deliver(db: Database, sending=None) -> list[int]:
    async with db.transaction() as s:
        events = await outbox.pending(s, now=NOW, limit=3)
        if sending is not None:  # another deliverer runs meanwhile
            await sending()
        await outbox.mark_delivered(s, [e.id for e in events], now=NOW)
    return [e.id for e in events]


async def test_two_deliverers_never_send_the_same_event(
    database: Database, database_url: str, contention
):
    async with database.transaction() as s:
        ids = [await outbox.enqueue(s, "session.completed", {"n": n}, now=NOW) for n in range(6)]
    other = await Database.connect(database_url)
    second: list[asyncio.Task[list[int]]] = []

    async def let_the_other_run() -> None:
        contention.holding()
        second.append(contention.start(_deliver(other)))
        if database.backend == "sqlite":
            await contention.until_waiting(1)  # one writer at a time: it waits
        else:
            await asyncio.wait([second[0]])  # SKIP LOCKED: it takes the others meanwhile

    try:
        first = await _deliver(database, let_the_other_run)
        second_ids = await second[0]
    finally:
        await other.close()
    assert not set(first) & set(second_ids)
    assert sorted(first + second_ids) == ids
