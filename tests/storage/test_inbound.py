"""Deduplication of inbound messages, also when one message is handled twice at
the same time (two processes: two Database objects on one database)."""

import asyncio

import pytest

from storage import inbound, transcripts
from storage.database import Database
from storage.models import Direction
from storage.transcripts import TranscriptLine
from tests.storage.seeding import NOW, Seeded

REPLIES = [{"text": "De 1 à 5 ?", "buttons": [{"title": "1", "payload": "1"}]}]


async def test_a_redelivered_message_gets_the_first_replies(database: Database, seeded: Seeded):
    async with database.transaction() as s:
        first = await inbound.claim(s, "telegram", seeded.user_hash, "m-1", now=NOW)
        await inbound.store_replies(s, first.id, REPLIES)
    async with database.transaction() as s:
        again = await inbound.claim(s, "telegram", seeded.user_hash, "m-1", now=NOW)
    assert first.is_new
    assert first.replies is None
    assert not again.is_new
    assert again.replies == REPLIES
    assert again.id == first.id


async def test_the_same_message_id_from_someone_else_is_another_message(
    database: Database, seeded: Seeded
):
    async with database.transaction() as s:
        mine = await inbound.claim(s, "telegram", seeded.user_hash, "m-1", now=NOW)
        theirs = await inbound.claim(s, "telegram", "ff" * 32, "m-1", now=NOW)
        on_web = await inbound.claim(s, "web", seeded.user_hash, "m-1", now=NOW)
    assert mine.is_new
    assert theirs.is_new
    assert on_web.is_new


async def test_a_claim_that_rolled_back_leaves_the_message_new(database: Database, seeded: Seeded):
    async def fail_after_claiming() -> None:
        async with database.transaction() as s:
            await inbound.claim(s, "telegram", seeded.user_hash, "m-1", now=NOW)
            raise RuntimeError("the engine failed")

    with pytest.raises(RuntimeError):
        await fail_after_claiming()
    async with database.transaction() as s:
        retried = await inbound.claim(s, "telegram", seeded.user_hash, "m-1", now=NOW)
    assert retried.is_new


async def _handle(
    db: Database, seeded: Seeded, message_id: str, holding=None
) -> tuple[bool, object]:
    """What the conversation service does with one message; `holding`, if given,
    is awaited once the message is claimed."""
    async with db.transaction() as s:
        claim = await inbound.claim(s, "telegram", seeded.user_hash, message_id, now=NOW)
        if not claim.is_new:
            return False, claim.replies
        if holding is not None:
            await holding()
        await transcripts.append(
            s, seeded.session_id, [TranscriptLine(Direction.IN, "voiture", NOW, None, message_id)]
        )
        await inbound.store_replies(s, claim.id, REPLIES)
        return True, REPLIES


async def test_concurrent_deliveries_of_one_message_are_handled_once(
    database: Database, database_url: str, seeded: Seeded, contention
):
    others = [await Database.connect(database_url) for _ in range(3)]
    redelivered: list[asyncio.Task[tuple[bool, object]]] = []

    async def let_the_others_arrive() -> None:  # they claim while this one has claimed
        contention.holding()
        redelivered.extend(contention.start(_handle(db, seeded, "m-7")) for db in others)
        await contention.until_waiting(len(others))

    try:
        results = [
            await _handle(database, seeded, "m-7", let_the_others_arrive),
            *[await task for task in redelivered],
        ]
    finally:
        for db in others:
            await db.close()
    assert sorted(new for new, _ in results) == [False, False, False, True]
    assert all(replies == REPLIES for _, replies in results)
    async with database.transaction() as s:
        lines = await transcripts.for_session(s, seeded.session_id)
    assert [line.platform_message_id for line in lines] == ["m-7"]
