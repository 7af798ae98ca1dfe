import asyncio
import datetime as dt

from storage import participants
from storage.database import Database

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
HASH = "0f" * 32


async def test_get_or_create_creates_once_then_finds(database: Database):
    async with database.transaction() as s:
        first, created = await participants.get_or_create(
            s, "telegram", HASH, now=NOW, language="fr"
        )
    async with database.transaction() as s:
        again, created_again = await participants.get_or_create(s, "telegram", HASH, now=NOW)
    assert created
    assert not created_again
    assert again == first
    assert first.language == "fr"
    assert first.reachable
    assert first.consented_at is None
    assert first.created_at == NOW


async def test_same_hash_on_another_channel_is_another_participant(database: Database):
    async with database.transaction() as s:
        on_telegram, _ = await participants.get_or_create(s, "telegram", HASH, now=NOW)
        on_web, created = await participants.get_or_create(s, "web", HASH, now=NOW)
    assert created
    assert on_web.id != on_telegram.id


async def test_find_returns_none_for_an_unknown_participant(database: Database):
    async with database.transaction() as s:
        assert await participants.find(s, "telegram", HASH) is None


async def test_change_records_consent_language_reachability_and_address(database: Database):
    consent = NOW + dt.timedelta(minutes=1)
    async with database.transaction() as s:
        created, _ = await participants.get_or_create(s, "telegram", HASH, now=NOW)
        await participants.change(
            s,
            created.id,
            consented_at=consent,
            language="en",
            reachable=False,
            address=b"\x00encrypted\xff",
        )
    async with database.transaction() as s:
        stored = await participants.get(s, created.id)
    assert stored.consented_at == consent
    assert stored.language == "en"
    assert stored.reachable is False
    assert stored.address == b"\x00encrypted\xff"


async def test_timestamps_come_back_in_utc_whatever_zone_they_were_given_in(database: Database):
    paris = dt.timezone(dt.timedelta(hours=2))
    async with database.transaction() as s:
        created, _ = await participants.get_or_create(
            s, "web", HASH, now=dt.datetime(2026, 6, 1, 14, 0, tzinfo=paris)
        )
    async with database.transaction() as s:
        stored = await participants.get(s, created.id)
    assert stored.created_at == NOW
    assert stored.created_at.utcoffset() == dt.timedelta(0)


async def _first_message(db: Database, holding=None) -> int:
    async with db.transaction() as s:
        participant, _ = await participants.get_or_create(s, "telegram", HASH, now=NOW)
        if holding is not None:
            await holding()
        return participant.id


async def test_concurrent_first_messages_create_one_participant(
    database: Database, database_url: str, contention
):
    dbs = [await Database.connect(database_url) for _ in range(3)]
    others: list[asyncio.Task[int]] = []

    async def let_the_others_come() -> None:  # they create while this one has created
        contention.holding()
        others.extend(contention.start(_first_message(db)) for db in dbs)
        await contention.until_waiting(len(dbs))

    try:
        ids = [await _first_message(database, let_the_others_come), *[await t for t in others]]
    finally:
        for db in dbs:
            await db.close()
    assert len(set(ids)) == 1
