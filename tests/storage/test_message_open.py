"""What a message reads and locks first (storage.message_open), one contract on
both databases: the participant, whether the team has messages waiting, the
claim of the platform message id, the open session with the console's dates;
and, with two processes (two Database objects on one database), one resident's
messages one after the other and one message handled once."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select, text

from storage import (
    consultations,
    erasure_receipts,
    inbound,
    message_open,
    openings,
    participants,
    pre_consent,
    sessions,
    team_messages,
)
from storage.consultations import Dates, LiveLookup
from storage.database import Database
from storage.errors import Conflict, DatabaseBusy, TransactionNeeded
from storage.message_open import OpenedMessage
from storage.models import InboundRow, SessionStatus, TeamMessageRow
from storage.pre_consent import Outside, PreConsent
from tests.storage.seeding import NOW, Seeded
from tests.storage.test_database import ONLY_POSTGRESQL

LATER = NOW + dt.timedelta(hours=1)
REPLIES = [{"text": "De 1 à 5 ?", "buttons": [{"title": "1", "payload": "1"}]}]


async def _open(
    db: Database, user_hash: str, message_id: str | None, receipt: str | None = None
) -> OpenedMessage:
    async with db.transaction() as s:
        return await message_open.open_message(
            s, "telegram", user_hash, message_id, now=NOW, receipt=receipt
        )


async def test_someone_not_enrolled_is_neither_claimed_nor_locked(
    database: Database, seeded: Seeded
):
    opened = await _open(database, "ff" * 32, "m-1")
    assert opened == OpenedMessage(None, False, None, None, Outside(None, erased=False))
    async with database.transaction() as s:  # nothing was claimed for them
        assert (await inbound.claim(s, "telegram", "ff" * 32, "m-1", now=NOW)).is_new


async def _open_nobody(
    db: Database, wanted: str | None, default: str | None, user_hash: str = "ff" * 32
) -> OpenedMessage:
    async with db.transaction() as s:
        return await message_open.open_message(
            s, "telegram", user_hash, "m-1", now=NOW, wanted=wanted, default=default
        )


async def test_someone_not_enrolled_is_opened_with_the_live_version_they_look_at_first(
    database: Database, seeded: Seeded
):
    live = LiveLookup("mobilite", (seeded.flow_version_id, None))
    assert (await _open_nobody(database, "mobilite", "autre")).live == live
    assert (await _open_nobody(database, None, "mobilite")).live == live
    assert (await _open_nobody(database, "autre", "mobilite")).live == LiveLookup("autre", None)
    assert (await _open_nobody(database, None, None)).live is None  # nothing to look at
    note = PreConsent("mobilite", None, None)
    async with database.transaction() as s:
        await pre_consent.keep(s, "telegram", "ff" * 32, note, expires_at=LATER)
    assert (await _open_nobody(database, None, "autre")).live == live  # their note's
    assert (await _open_nobody(database, "autre", None)).live == LiveLookup("autre", None)
    async with database.transaction() as s:  # dates set in the console come with it
        await consultations.set_dates(s, "mobilite", None, dt.date(2026, 12, 31), now=NOW)
    dated = await _open_nobody(database, None, "mobilite")
    assert dated.live == LiveLookup(
        "mobilite", (seeded.flow_version_id, Dates(None, dt.date(2026, 12, 31), NOW))
    )
    assert (await _open_nobody(database, "x", "y", seeded.user_hash)).live is None  # enrolled


async def test_someone_not_enrolled_is_opened_with_their_note_and_erasure_receipt(
    database: Database, seeded: Seeded
):
    note = PreConsent("mobilite", "en", seeded.flow_version_id, "d1", "gare")
    async with database.transaction() as s:
        await pre_consent.keep(s, "telegram", "ff" * 32, note, expires_at=LATER)
        await erasure_receipts.record(s, "r1", now=NOW)
    assert (await _open(database, "ff" * 32, "m-1", "r0")).outside == Outside(note, False)
    assert (await _open(database, "ff" * 32, "m-2", "r1")).outside == Outside(note, True)
    assert (await _open(database, "ee" * 32, "m-1", "r1")).outside == Outside(None, True)
    assert (await _open(database, seeded.user_hash, "m-1", "r1")).outside is None  # enrolled
    async with database.transaction() as s:
        expired = await message_open.open_message(
            s, "telegram", "ff" * 32, "m-3", now=LATER, receipt=None
        )
    assert expired.outside == Outside(None, False)


async def test_a_message_claims_its_id_and_reads_the_open_session(
    database: Database, seeded: Seeded
):
    opened = await _open(database, seeded.user_hash, "m-1")
    assert opened.participant is not None
    assert opened.participant.id == seeded.participant_id
    assert opened.participant.user_hash == seeded.user_hash
    assert opened.participant.created_at == NOW
    assert not opened.team_waiting
    assert opened.claim is not None
    assert opened.claim.is_new
    assert opened.claim.replies is None
    assert opened.session is not None
    assert opened.session.id == seeded.session_id
    assert opened.session.state == {"step": 0}
    assert opened.session.status is SessionStatus.ACTIVE
    assert opened.session.last_activity_at == NOW
    assert opened.session.dates is None  # none set in the console


async def test_a_redelivery_gets_the_first_replies_and_no_session(
    database: Database, seeded: Seeded
):
    async with database.transaction() as s:
        first = await message_open.open_message(s, "telegram", seeded.user_hash, "m-1", now=NOW)
        assert first.claim is not None
        await inbound.store_replies(s, first.claim.id, REPLIES)
    again = await _open(database, seeded.user_hash, "m-1")
    assert again.claim is not None
    assert (again.claim.id, again.claim.is_new, again.claim.replies) == (
        first.claim.id,
        False,
        REPLIES,
    )
    assert again.participant == first.participant
    assert again.session is None


async def test_without_a_message_id_nothing_is_claimed(database: Database, seeded: Seeded):
    opened = await _open(database, seeded.user_hash, None)
    assert opened.claim is None
    assert opened.session is not None
    assert opened.session.id == seeded.session_id


async def test_the_console_dates_and_the_teams_waiting_messages_come_with_it(
    database: Database, seeded: Seeded
):
    later = NOW + dt.timedelta(hours=1)
    async with database.transaction() as s:
        await consultations.set_dates(
            s, "mobilite", dt.date(2026, 6, 1), dt.date(2026, 6, 30), now=later
        )
        await team_messages.add(
            s, seeded.session_id, seeded.participant_id, "Bonjour", "equipe", now=later
        )
    opened = await _open(database, seeded.user_hash, "m-1")
    assert opened.team_waiting
    assert opened.session is not None
    assert opened.session.dates is not None
    dates = opened.session.dates
    assert (dates.opens, dates.closes, dates.changed_at) == (
        dt.date(2026, 6, 1),
        dt.date(2026, 6, 30),
        later,
    )


async def test_a_session_no_longer_open_is_not_read(database: Database, seeded: Seeded):
    async with database.transaction() as s:
        await sessions.save(s, seeded.session_id, now=NOW, status=SessionStatus.COMPLETED)
    opened = await _open(database, seeded.user_hash, "m-1")
    assert opened.participant is not None
    assert opened.claim is not None
    assert opened.session is None


async def _answer(db: Database, user_hash: str, message_id: str, holding: Any = None) -> bool:
    """A message as the conversation service handles it: opened, its session
    state read and written back; whether it was new. `holding`, if given, is
    awaited once the message is opened."""
    async with db.transaction() as s:
        opened = await message_open.open_message(s, "telegram", user_hash, message_id, now=NOW)
        assert opened.claim is not None
        if not opened.claim.is_new:
            return False
        if holding is not None:
            await holding()
        assert opened.session is not None
        assert isinstance(opened.session.state, dict)
        step = opened.session.state["step"]
        await sessions.save(s, opened.session.id, now=NOW, state={"step": step + 1})
        await inbound.store_replies(s, opened.claim.id, REPLIES)
        return True


async def test_one_residents_messages_are_handled_one_after_the_other(
    database: Database, database_url: str, seeded: Seeded, contention
):
    others = [await Database.connect(database_url) for _ in range(2)]
    waiting: list[asyncio.Task[bool]] = []

    async def let_the_others_come() -> None:  # they open while this one has opened
        contention.holding()
        waiting.extend(
            contention.start(_answer(db, seeded.user_hash, f"m-{n}"))
            for n, db in enumerate(others, start=2)
        )
        await contention.until_waiting(len(others))

    try:
        assert await _answer(database, seeded.user_hash, "m-1", let_the_others_come)
        assert [await task for task in waiting] == [True, True]
    finally:
        for db in others:
            await db.close()
    async with database.transaction() as s:
        stored = await sessions.get(s, seeded.session_id)
    assert stored.state == {"step": 3}  # each read what the one before wrote


async def test_concurrent_deliveries_of_one_message_are_handled_once(
    database: Database, database_url: str, seeded: Seeded, contention
):
    others = [await Database.connect(database_url) for _ in range(3)]
    redelivered: list[asyncio.Task[bool]] = []

    async def let_the_others_arrive() -> None:
        contention.holding()
        redelivered.extend(contention.start(_answer(db, seeded.user_hash, "m-7")) for db in others)
        await contention.until_waiting(len(others))

    try:
        first = await _answer(database, seeded.user_hash, "m-7", let_the_others_arrive)
        again = [await task for task in redelivered]
    finally:
        for db in others:
            await db.close()
    assert [first, *again] == [True, False, False, False]
    async with database.transaction() as s:
        stored = await sessions.get(s, seeded.session_id)
    assert stored.state == {"step": 1}


# ---- with nothing begun (Database.transaction(optimistic=True)) -------------


async def _answer_optimistically(
    db: Database, user_hash: str, message_id: str, meanwhile: Any = None
) -> OpenedMessage:
    """A message as the conversation service handles it first: opened with
    nothing begun, its session state written back and its replies kept.
    `meanwhile`, if given, is awaited once the message is opened."""
    async with db.transaction(optimistic=True) as s:
        opened = await message_open.open_message(s, "telegram", user_hash, message_id, now=NOW)
        assert opened.claim is not None
        assert opened.claim.is_new
        assert opened.session is not None
        assert isinstance(opened.session.state, dict)
        if meanwhile is not None:
            await meanwhile()
        step = opened.session.state["step"]
        await sessions.save(s, opened.session.id, now=NOW, state={"step": step + 1})
        if opened.claim.id is None:  # not claimed yet: claimed with its replies
            await inbound.claim_with_replies(s, "telegram", user_hash, message_id, REPLIES, now=NOW)
        else:
            await inbound.store_replies(s, opened.claim.id, REPLIES)
        return opened


async def test_a_message_with_nothing_begun_is_written_and_claimed_with_its_replies(
    database: Database, seeded: Seeded
):
    opened = await _answer_optimistically(database, seeded.user_hash, "m-1")
    assert opened.participant is not None
    assert opened.participant.id == seeded.participant_id
    assert opened.session is not None
    assert opened.session.id == seeded.session_id
    again = await _open(database, seeded.user_hash, "m-1")
    assert again.claim is not None
    assert (again.claim.is_new, again.claim.replies) == (False, REPLIES)
    async with database.transaction(optimistic=True) as s:  # a redelivery: nothing begun
        redelivered = await message_open.open_message(
            s, "telegram", seeded.user_hash, "m-1", now=NOW
        )
    assert redelivered.claim is not None
    assert (redelivered.claim.is_new, redelivered.claim.replies) == (False, REPLIES)
    async with database.transaction() as s:
        assert (await sessions.get(s, seeded.session_id)).state == {"step": 1}


async def test_the_uncommon_cases_are_opened_as_in_a_transaction(
    database: Database, seeded: Seeded
):
    async with database.transaction(optimistic=True) as s:  # not enrolled
        nobody = await message_open.open_message(s, "telegram", "ff" * 32, "m-1", now=NOW)
    assert nobody == OpenedMessage(None, False, None, None, Outside(None, erased=False))
    async with database.transaction() as s:
        await team_messages.add(
            s, seeded.session_id, seeded.participant_id, "Bonjour", "equipe", now=NOW
        )
    async with database.transaction(optimistic=True) as s:  # the team wrote to them
        opened = await message_open.open_message(s, "telegram", seeded.user_hash, "m-2", now=NOW)
        assert opened.team_waiting
        assert opened.claim is not None
        assert opened.claim.id is not None  # claimed at once, in the transaction begun


@ONLY_POSTGRESQL
async def test_a_session_changed_meanwhile_fails_the_whole_write(
    database: Database, database_url: str, seeded: Seeded, contention
):
    other = await Database.connect(database_url)  # another process

    async def another_message_of_theirs() -> None:
        await contention.start(_answer(other, seeded.user_hash, "m-2"))

    try:
        with pytest.raises(DatabaseBusy) as failed:
            await _answer_optimistically(
                database, seeded.user_hash, "m-1", another_message_of_theirs
            )
        assert not isinstance(failed.value, TransactionNeeded)  # the guard, not a refusal
    finally:
        await other.close()
    async with database.transaction() as s:
        assert (await sessions.get(s, seeded.session_id)).state == {"step": 1}  # the other's
        assert (await inbound.claim(s, "telegram", seeded.user_hash, "m-1", now=NOW)).is_new


@ONLY_POSTGRESQL
async def test_a_message_claimed_meanwhile_fails_the_whole_write(
    database: Database, database_url: str, seeded: Seeded, contention
):
    other = await Database.connect(database_url)  # the same message, delivered there too

    async def claim_there() -> None:
        async with other.transaction() as s:
            claim = await inbound.claim(s, "telegram", seeded.user_hash, "m-1", now=NOW)
            assert claim.id is not None
            await inbound.store_replies(s, claim.id, REPLIES)

    async def claimed_there() -> None:
        await contention.start(claim_there())

    try:
        with pytest.raises(Conflict):
            await _answer_optimistically(database, seeded.user_hash, "m-1", claimed_there)
    finally:
        await other.close()
    async with database.transaction() as s:
        assert (await sessions.get(s, seeded.session_id)).state == {"step": 0}


@ONLY_POSTGRESQL
async def test_a_read_after_held_writes_begins_the_transaction_and_sees_them(
    database: Database, seeded: Seeded
):
    async with database.transaction(optimistic=True) as s:
        opened = await message_open.open_message(s, "telegram", seeded.user_hash, "m-1", now=NOW)
        assert opened.session is not None
        await sessions.save(s, opened.session.id, now=NOW, state={"step": 9})
        again = await sessions.find_open(s, seeded.participant_id)
        assert again is not None
        assert again.state == {"step": 9}
        await sessions.save(s, opened.session.id, now=NOW, state={"step": 10})
    async with database.read() as s:
        assert (await sessions.get(s, seeded.session_id)).state == {"step": 10}


@ONLY_POSTGRESQL
async def test_held_writes_sent_early_fail_whole_if_the_session_changed_meanwhile(
    database: Database, database_url: str, seeded: Seeded, contention
):
    other = await Database.connect(database_url)  # another process

    async def work() -> None:
        async with database.transaction(optimistic=True) as s:
            opened = await message_open.open_message(
                s, "telegram", seeded.user_hash, "m-1", now=NOW
            )
            assert opened.session is not None
            await contention.start(_answer(other, seeded.user_hash, "m-2"))
            await sessions.save(s, opened.session.id, now=NOW, state={"step": 9})
            await sessions.find_open(s, seeded.participant_id)  # sends the save first

    try:
        with pytest.raises(DatabaseBusy) as failed:
            await work()
        assert not isinstance(failed.value, TransactionNeeded)  # the guard, not a refusal
    finally:
        await other.close()
    async with database.read() as s:
        assert (await sessions.get(s, seeded.session_id)).state == {"step": 1}  # the other's


@ONLY_POSTGRESQL
@pytest.mark.parametrize("beyond", ["a write not held", "a statement of SQLAlchemy's own"])
async def test_work_a_message_cannot_do_with_nothing_begun_writes_nothing(
    database: Database, seeded: Seeded, beyond: str
):
    async def work() -> None:
        async with database.transaction(optimistic=True) as s:
            opened = await message_open.open_message(
                s, "telegram", seeded.user_hash, "m-1", now=NOW
            )
            assert opened.session is not None
            if beyond == "a write not held":  # nothing held yet to guard it
                await inbound.claim(s, "telegram", seeded.user_hash, "m-1", now=NOW)
            else:
                await team_messages.add(
                    s, seeded.session_id, seeded.participant_id, "Bonjour", "equipe", now=NOW
                )
            await sessions.save(s, opened.session.id, now=NOW, state={"step": 9})

    with pytest.raises(TransactionNeeded):
        await work()
    async with database.read() as s:
        assert (await sessions.get(s, seeded.session_id)).state == {"step": 0}
        assert await s.scalar(select(func.count()).select_from(InboundRow)) == 0
        assert await s.scalar(select(func.count()).select_from(TeamMessageRow)) == 0


@ONLY_POSTGRESQL
async def test_once_begun_a_message_still_runs_no_statement_of_sqlalchemys_own(
    database: Database, seeded: Seeded
):
    # Its session has no connection of SQLAlchemy's (storage.pg_transaction):
    # such a statement is refused, and what the begun transaction wrote (the
    # message id claimed) is rolled back; the service does it all again in a
    # transaction of SQLAlchemy's.
    async with database.transaction() as s:
        await team_messages.add(
            s, seeded.session_id, seeded.participant_id, "Bonjour", "equipe", now=NOW
        )

    async def work() -> None:
        async with database.transaction(optimistic=True) as s:
            opened = await message_open.open_message(
                s, "telegram", seeded.user_hash, "m-1", now=NOW
            )
            assert opened.claim is not None
            assert opened.claim.id is not None  # begun, and claimed in it
            await team_messages.add(
                s, seeded.session_id, seeded.participant_id, "Encore", "equipe", now=NOW
            )

    with pytest.raises(TransactionNeeded):
        await work()
    async with database.read() as s:
        assert await s.scalar(select(func.count()).select_from(InboundRow)) == 0
        assert await s.scalar(select(func.count()).select_from(TeamMessageRow)) == 1


@ONLY_POSTGRESQL
async def test_a_message_waiting_for_a_connection_gets_the_next_one_given_back(
    database_url: str, seeded: Seeded
):
    # One connection: a message holds it while another waits; when the first
    # gives it back and at once wants one for its next message, the one that
    # waited goes first (storage.pg_transaction).
    db = await Database.connect(database_url, pool_size=1)
    holding, release, served = asyncio.Event(), asyncio.Event(), []

    async def first_resident() -> None:
        async with db.transaction(optimistic=True):
            holding.set()
            await release.wait()
        async with db.transaction(optimistic=True):
            served.append("first, next message")

    async def second_resident() -> None:
        await holding.wait()
        async with db.transaction(optimistic=True):
            served.append("second")

    try:
        tasks = [asyncio.create_task(first_resident()), asyncio.create_task(second_resident())]
        await holding.wait()
        await asyncio.sleep(0.2)  # the second is waiting for the connection by now
        release.set()
        await asyncio.gather(*tasks)
    finally:
        await db.close()
    assert served == ["second", "first, next message"]


# ---- someone not enrolled, with nothing begun --------------------------------

ASKED = "ab" * 32  # a newcomer who was asked the consent question


async def _newcomer_writes(
    db: Database,
    user_hash: str,
    meanwhile: Any = None,
    *,
    consent: bool = False,
) -> OpenedMessage:
    """A newcomer's message as the conversation service handles it first:
    opened with nothing begun, then their note written (an opening counted
    with it), or, with `consent`, their note forgotten and them enrolled with a
    first session. `meanwhile`, if given, is awaited once the message is opened."""
    async with db.transaction(optimistic=True) as s:
        opened = await message_open.open_message(
            s, "telegram", user_hash, "n-1", now=NOW, default="mobilite"
        )
        assert opened.participant is None
        assert opened.outside is not None
        if meanwhile is not None:
            await meanwhile()
        if not consent:
            await openings.count(
                s, "mobilite", "telegram", None, day=NOW.date(), user_hash=user_hash
            )
            note = PreConsent("mobilite", "fr", 1, "d-1")
            await pre_consent.keep(s, "telegram", user_hash, note, expires_at=LATER)
            return opened
        assert opened.live is not None
        assert opened.live.found is not None
        await pre_consent.forget(s, "telegram", user_hash)
        joined = await participants.create(s, "telegram", user_hash, now=NOW, consented_at=NOW)
        await sessions.create(s, joined.id, opened.live.found[0], {"step": 0}, now=NOW, first=True)
        await inbound.claim_with_replies(s, "telegram", user_hash, "n-1", REPLIES, now=NOW)
        return opened


async def _kept(db: Database, user_hash: str) -> PreConsent | None:
    async with db.read() as s:
        return await pre_consent.find(s, "telegram", user_hash, now=NOW)


async def test_a_newcomer_is_read_and_written_with_nothing_begun(
    database: Database, seeded: Seeded
):
    """Their first message notes what they chose; their consent enrols them
    with a first session, claims the message and forgets the note."""
    await _newcomer_writes(database, ASKED)
    assert await _kept(database, ASKED) == PreConsent("mobilite", "fr", 1, "d-1")
    again = await _newcomer_writes(database, ASKED, consent=True)
    assert again.outside == Outside(PreConsent("mobilite", "fr", 1, "d-1"), erased=False)
    assert again.live == LiveLookup("mobilite", (seeded.flow_version_id, None))
    assert await _kept(database, ASKED) is None
    async with database.read() as s:
        joined = await participants.find(s, "telegram", ASKED)
        assert joined is not None
        assert joined.consented_at == NOW
        first = await sessions.find_open(s, joined.id)
        assert first is not None
        assert (first.flow_version_id, first.state) == (seeded.flow_version_id, {"step": 0})
        claim = await inbound.claim(s, "telegram", ASKED, "n-1", now=NOW)
        assert (claim.is_new, claim.replies) == (False, REPLIES)  # a retry gets the replies
        assert await openings.total(s, "mobilite") == 1


async def test_a_newcomers_note_expired_but_not_purged_yet_is_replaced(
    database: Database, seeded: Seeded
):
    async with database.transaction() as s:
        note = PreConsent("lycees", "en", None)
        await pre_consent.keep(s, "telegram", ASKED, note, expires_at=NOW)  # expired at NOW
    await _newcomer_writes(database, ASKED)  # with nothing begun on PostgreSQL: no refusal
    assert await _kept(database, ASKED) == PreConsent("mobilite", "fr", 1, "d-1")


@ONLY_POSTGRESQL
async def test_ids_are_reserved_only_for_a_newcomer_asked_to_consent(
    database: Database, seeded: Seeded
):
    """The read of an enrolled resident's message, or of a newcomer not asked
    the consent question, takes nothing of the id sequences."""

    async def last_ids() -> list[Any]:
        async with database.read() as s:
            found = await s.execute(
                text(
                    "SELECT last_value FROM participants_id_seq UNION ALL "
                    "SELECT last_value FROM sessions_id_seq"
                )
            )
            return [row[0] for row in found]

    before = await last_ids()
    await _answer_optimistically(database, seeded.user_hash, "m-1")
    async with database.transaction(optimistic=True) as s:  # not asked yet
        await message_open.open_message(s, "telegram", "cd" * 32, "m-1", now=NOW)
    assert await last_ids() == before
    async with database.transaction() as s:
        await pre_consent.keep(
            s, "telegram", ASKED, PreConsent("mobilite", "fr", 1), expires_at=LATER
        )
    await _newcomer_writes(database, ASKED, consent=True)
    async with database.read() as s:
        joined = await participants.find(s, "telegram", ASKED)
        assert joined is not None
        first = await sessions.find_open(s, joined.id)
        assert first is not None
    assert [joined.id, first.id] == [value + 1 for value in before]  # the ids reserved


@ONLY_POSTGRESQL
@pytest.mark.parametrize("had_a_note", [False, True])
async def test_a_newcomers_note_written_meanwhile_fails_the_whole_write(
    database: Database, database_url: str, seeded: Seeded, contention, had_a_note: bool
):
    """Another process took one of their messages meanwhile: this one's writes,
    the opening counted included, are not kept (it is handled again)."""
    if had_a_note:
        async with database.transaction() as s:
            note = PreConsent("mobilite", "fr", None)
            await pre_consent.keep(s, "telegram", ASKED, note, expires_at=LATER)
    other = await Database.connect(database_url)  # another process
    theirs = PreConsent("lycees", "en", None)

    async def keep_there() -> None:
        async with other.transaction() as s:
            await pre_consent.keep(s, "telegram", ASKED, theirs, expires_at=LATER)

    async def kept_there() -> None:
        await contention.start(keep_there())

    try:
        with pytest.raises(DatabaseBusy) as failed:
            await _newcomer_writes(database, ASKED, kept_there)
        assert not isinstance(failed.value, TransactionNeeded)  # the guard, not a refusal
    finally:
        await other.close()
    assert await _kept(database, ASKED) == theirs
    async with database.read() as s:
        assert await openings.total(s, "mobilite") == 0


@ONLY_POSTGRESQL
async def test_a_newcomer_enrolled_meanwhile_is_not_enrolled_twice(
    database: Database, database_url: str, seeded: Seeded, contention
):
    async with database.transaction() as s:
        note = PreConsent("mobilite", "fr", seeded.flow_version_id)
        await pre_consent.keep(s, "telegram", ASKED, note, expires_at=LATER)
    other = await Database.connect(database_url)  # the same "oui" delivered there too

    async def enrolled_there() -> None:
        await contention.start(_newcomer_writes(other, ASKED, consent=True))

    try:
        with pytest.raises(DatabaseBusy):
            await _newcomer_writes(database, ASKED, enrolled_there, consent=True)
    finally:
        await other.close()
    async with database.read() as s:
        joined = await s.execute(
            text("SELECT count(*) FROM participants WHERE user_hash = :h"), {"h": ASKED}
        )
        assert joined.scalar() == 1
        claims = await s.execute(
            text("SELECT count(*) FROM processed_inbound WHERE user_hash = :h"), {"h": ASKED}
        )
        assert claims.scalar() == 1
