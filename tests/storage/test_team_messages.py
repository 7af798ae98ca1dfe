import datetime as dt

import pytest

from storage import consultations, erasure, participants, sessions, team_messages, transcripts
from storage.database import Database
from storage.errors import NotFound
from storage.models import TeamMessageState
from tests.storage.seeding import NOW, Seeded, seed

LATER = NOW + dt.timedelta(hours=1)


async def test_a_request_waits_in_the_inbox_until_handled_and_asking_again_reopens_it(
    database: Database, seeded: Seeded
):
    async with database.transaction() as s:
        assert await team_messages.waiting(s) == []
        await team_messages.human_asked(s, seeded.session_id, now=NOW)
        await team_messages.human_asked(s, seeded.session_id, now=LATER)  # keeps its place
        [waiting] = await team_messages.waiting(s)
    assert (waiting.session_id, waiting.requested_at, waiting.channel) == (
        seeded.session_id,
        NOW,
        "telegram",
    )
    async with database.transaction() as s:
        assert await team_messages.set_handled(
            s, seeded.session_id, handled=True, by="moderator-7", now=LATER
        )
        assert not await team_messages.set_handled(
            s, seeded.session_id, handled=True, by="moderator-8", now=LATER
        )
        assert await team_messages.waiting(s) == []
        handled = await team_messages.request(s, seeded.session_id)
        assert (handled.handled_by, handled.handled_at) == ("moderator-7", LATER)
        later_still = LATER + dt.timedelta(days=1)
        await team_messages.human_asked(s, seeded.session_id, now=later_still)
        [reopened] = await team_messages.waiting(s)
    assert (reopened.requested_at, reopened.handled_at) == (later_still, None)


async def test_the_inbox_is_oldest_first_paged_and_filtered_by_consultation(database: Database):
    first = await seed(database, user_hash="01" * 32)
    second = await seed(database, user_hash="02" * 32)
    async with database.transaction() as s:
        other = await consultations.deploy(s, "lycees", "id: lycees\n", deployed_by="t", now=NOW)
        person, _ = await participants.get_or_create(s, "web", "03" * 32, now=NOW)
        third = await sessions.create(s, person.id, other.version.id, {}, now=NOW)
        await team_messages.human_asked(s, second.session_id, now=NOW)
        await team_messages.human_asked(s, third.id, now=NOW + dt.timedelta(minutes=1))
        await team_messages.human_asked(s, first.session_id, now=NOW + dt.timedelta(minutes=2))
        everyone = await team_messages.waiting(s)
        page_one = await team_messages.waiting(s, limit=2)
        page_two = await team_messages.waiting(s, after=page_one[-1], limit=2)
        mobilite = await team_messages.waiting(s, consultations=["mobilite"])
    assert [r.session_id for r in everyone] == [second.session_id, third.id, first.session_id]
    assert [r.session_id for r in page_one + page_two] == [r.session_id for r in everyone]
    assert [r.session_id for r in mobilite] == [second.session_id, first.session_id]


async def test_a_message_is_claimed_once_and_given_back_when_not_shown(
    database: Database, seeded: Seeded
):
    async with database.transaction() as s:
        message = await team_messages.add(
            s, seeded.session_id, seeded.participant_id, "Bonjour, ici l'équipe.", "m-1", now=NOW
        )
        [line] = await transcripts.for_session(s, seeded.session_id)
    assert message.state is TeamMessageState.QUEUED
    assert (line.text, line.from_team) == ("Bonjour, ici l'équipe.", True)
    async with database.transaction() as s:
        claimed = await team_messages.claim(s, message.id, now=LATER)
        assert await team_messages.claim(s, message.id, now=LATER) is None
        assert await team_messages.claim_waiting(s, seeded.participant_id, now=LATER) == []
    assert claimed is not None
    assert (claimed.state, claimed.delivered_at) == (TeamMessageState.DELIVERED, LATER)
    async with database.transaction() as s:
        await team_messages.release(s, message.id, unreachable=True)
        [again] = await team_messages.claim_waiting(s, seeded.participant_id, now=LATER)
    assert again.id == message.id


async def test_erasure_removes_the_team_messages(database: Database, seeded: Seeded):
    bystander = await seed(database, user_hash="cd" * 32)
    async with database.transaction() as s:
        for who in (seeded, bystander):
            await team_messages.add(s, who.session_id, who.participant_id, "Bonjour", "m", now=NOW)
        counts = await erasure.delete_participant_data(
            s, seeded.participant_id, now=LATER, keep_anonymised_answers=False
        )
    assert (counts.team_messages, counts.transcript_lines) == (1, 1)
    async with database.transaction() as s:
        assert await team_messages.for_session(s, seeded.session_id) == []
        assert len(await team_messages.for_session(s, bystander.session_id)) == 1
        with pytest.raises(NotFound):
            await team_messages.request(s, seeded.session_id)
