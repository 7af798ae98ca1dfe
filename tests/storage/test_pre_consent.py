import datetime as dt

from storage import erasure_receipts, pre_consent
from storage.database import Database
from storage.pre_consent import Outside, PreConsent

NOW = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(hours=1)


async def test_a_note_is_kept_replaced_and_forgotten(database: Database):
    async with database.transaction() as s:
        assert await pre_consent.find(s, "web", "h1", now=NOW) is None
        await pre_consent.keep(s, "web", "h1", PreConsent("lycees", "en", None), expires_at=LATER)
        await pre_consent.keep(s, "rest", "h1", PreConsent("mobilite", None, 3), expires_at=LATER)
    async with database.transaction() as s:
        assert await pre_consent.find(s, "web", "h1", now=NOW) == PreConsent("lycees", "en", None)
        await pre_consent.keep(s, "web", "h1", PreConsent("lycees", "en", 7), expires_at=LATER)
    async with database.transaction() as s:
        assert await pre_consent.find(s, "web", "h1", now=NOW) == PreConsent("lycees", "en", 7)
        await pre_consent.forget(s, "web", "h1")
    async with database.transaction() as s:
        assert await pre_consent.find(s, "web", "h1", now=NOW) is None
        assert await pre_consent.find(s, "rest", "h1", now=NOW) is not None


async def test_an_expired_note_is_not_found_and_is_purged(database: Database):
    async with database.transaction() as s:
        await pre_consent.keep(s, "web", "h1", PreConsent("lycees", None, 1), expires_at=LATER)
        await pre_consent.keep(s, "web", "h2", PreConsent("lycees", None, 1), expires_at=NOW)
    async with database.transaction() as s:
        assert await pre_consent.find(s, "web", "h1", now=LATER) is None
        assert await pre_consent.purge_expired(s, now=NOW) == 1
        assert await pre_consent.purge_expired(s, now=LATER) == 1


async def test_a_note_and_whether_a_receipt_names_the_message_are_read_together(
    database: Database,
):
    note = PreConsent("lycees", "en", 4, "d1", "affiche-tours")
    async with database.transaction() as s:
        assert await pre_consent.find_outside(s, "web", "h1", "r1", now=NOW) == Outside(
            None, erased=False
        )
        await pre_consent.keep(s, "web", "h1", note, expires_at=LATER)
        await erasure_receipts.record(s, "r1", now=NOW)
    async with database.transaction() as s:
        assert await pre_consent.find_outside(s, "web", "h1", "r1", now=NOW) == Outside(
            note, erased=True
        )
        assert await pre_consent.find_outside(s, "web", "h1", "r2", now=NOW) == Outside(
            note, erased=False
        )
        assert await pre_consent.find_outside(s, "web", "h1", None, now=NOW) == Outside(
            note, erased=False
        )
        # Another resident, or the note expired: the receipt is still told.
        assert await pre_consent.find_outside(s, "web", "h2", "r1", now=NOW) == Outside(
            None, erased=True
        )
        assert await pre_consent.find_outside(s, "web", "h1", "r1", now=LATER) == Outside(
            None, erased=True
        )
