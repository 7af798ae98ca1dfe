"""Follow-up consents and copies, on both databases."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from storage import erasure, follow_ups, participants, sessions, team_messages, transcripts
from storage.database import Database
from storage.models import FollowUpConsentRow
from tests.storage.seeding import NOW, seed

TEXTS = {"fr": "Merci ! Voici les suites.", "en": "Thank you! Here is what came of it."}


async def _resident(db: Database, name: str, version_id: int, language: str | None) -> int:
    async with db.transaction() as s:
        participant = await participants.create(
            s, "web", name * 32, now=NOW, language=language, consented_at=NOW
        )
        await sessions.create(s, participant.id, version_id, {"step": 0}, now=NOW)
    return participant.id


async def test_copies_go_to_residents_who_asked_in_their_language(database: Database):
    seeded = await seed(database)  # a Telegram resident, no language noted
    english = await _resident(database, "b2", seeded.flow_version_id, "en")
    never_asked = await _resident(database, "c3", seeded.flow_version_id, "fr")
    revoked = await _resident(database, "d4", seeded.flow_version_id, "fr")
    async with database.transaction() as s:
        for participant_id in (seeded.participant_id, english, revoked):
            await follow_ups.give(s, participant_id, "mobilite", now=NOW)
        await follow_ups.revoke(s, revoked, now=NOW)
        follow_up = await follow_ups.create(s, "mobilite", TEXTS, "organizer-1", now=NOW)
        assert await follow_ups.followers(s, "mobilite") == 2
        assert (await follow_ups.progress(s, follow_up.id)).total == 0  # a draft: no copy
        copies = await follow_ups.release(s, follow_up.id, "fr", now=NOW)
        again = await follow_ups.release(s, follow_up.id, "fr", now=NOW)
    assert (copies, again) == (2, 0)  # released again: nobody gets a second copy
    async with database.transaction() as s:
        to_first = await team_messages.for_session(s, seeded.session_id)
        to_english = await team_messages.claim_waiting(s, english, now=NOW)
        to_others = [
            await team_messages.claim_waiting(s, pid, now=NOW) for pid in (never_asked, revoked)
        ]
        progress = await follow_ups.progress(s, follow_up.id)
        lines = await transcripts.for_session(s, seeded.session_id)
    assert [m.text for m in to_first] == [TEXTS["fr"]]  # no language: the flow's main one
    assert [m.text for m in to_english] == [TEXTS["en"]]
    assert to_others == [[], []]
    assert [(line.text, line.from_team) for line in lines] == [(TEXTS["fr"], True)]
    assert (progress.total, progress.delivered, progress.waiting) == (2, 1, 1)


async def test_giving_again_after_revoking_asks_again(database: Database):
    seeded = await seed(database)
    later = NOW + dt.timedelta(days=1)
    async with database.transaction() as s:
        await follow_ups.give(s, seeded.participant_id, "mobilite", now=NOW)
        assert await follow_ups.revoke(s, seeded.participant_id, now=later) == 1
        assert await follow_ups.wanted(s, seeded.participant_id) == []
        await follow_ups.give(s, seeded.participant_id, "mobilite", now=later)
        assert await follow_ups.wanted(s, seeded.participant_id) == ["mobilite"]


async def test_a_follow_up_with_no_one_who_asked_goes_to_no_one(database: Database):
    await seed(database)
    async with database.transaction() as s:
        follow_up = await follow_ups.create(s, "mobilite", TEXTS, "o", now=NOW)
        assert await follow_ups.release(s, follow_up.id, "fr", now=NOW) == 0
        assert await follow_ups.release(s, follow_up.id + 1, "fr", now=NOW) is None
        assert (await follow_ups.progress(s, follow_up.id)).total == 0
        assert [f.id for f in await follow_ups.of_consultation(s, "mobilite")] == [follow_up.id]


async def test_erasure_takes_the_wish_and_the_copies(database: Database):
    seeded = await seed(database)
    async with database.transaction() as s:
        await follow_ups.give(s, seeded.participant_id, "mobilite", now=NOW)
        follow_up = await follow_ups.create(s, "mobilite", TEXTS, "o", now=NOW)
        await follow_ups.release(s, follow_up.id, "fr", now=NOW)
    async with database.transaction() as s:
        await erasure.delete_participant_data(
            s, seeded.participant_id, now=NOW, keep_anonymised_answers=False
        )
    async with database.transaction() as s:
        consents = await s.scalar(select(func.count()).select_from(FollowUpConsentRow))
        progress = await follow_ups.progress(s, follow_up.id)
    assert consents == 0
    assert progress.total == 0


async def test_waiting_copies_page_in_order_and_skip_delivered(database: Database):
    seeded = await seed(database)
    others = [await _resident(database, f"e{i}", seeded.flow_version_id, "fr") for i in range(3)]
    async with database.transaction() as s:
        for participant_id in (seeded.participant_id, *others):
            await follow_ups.give(s, participant_id, "mobilite", now=NOW)
        follow_up = await follow_ups.create(s, "mobilite", TEXTS, "o", now=NOW)
        await follow_ups.release(s, follow_up.id, "fr", now=NOW)
    async with database.transaction() as s:
        first = await follow_ups.waiting_copies(s, follow_up.id, limit=2)
        await team_messages.claim(s, first[0].message_id, now=NOW)
        rest = await follow_ups.waiting_copies(s, follow_up.id, after=first[-1].message_id)
        again = await follow_ups.waiting_copies(s, follow_up.id)
    assert [c.channel for c in first] == ["telegram", "web"]
    assert len(rest) == 2
    assert [c.message_id for c in again] == [first[1].message_id] + [c.message_id for c in rest]
