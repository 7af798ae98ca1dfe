import asyncio
import datetime as dt

import pytest

from storage import answers, audit, erasure, moderation, outbox
from storage.database import Database
from storage.errors import InvalidModeration, NotFound
from storage.models import ModerationStatus
from storage.moderation import Outcome
from tests.storage.seeding import NOW, Seeded

WORDS = "Trop cher, appelez-moi au 06 12 34 56 78"
LATER = NOW + dt.timedelta(minutes=1)


async def _free_text(db: Database, seeded: Seeded, text: str = WORDS) -> int:
    async with db.transaction() as s:
        return await answers.record(
            s,
            seeded.session_id,
            "why",
            text,
            question_text="Pourquoi ?",
            language="fr",
            now=NOW,
            raw_text=text,
            needs_moderation=True,
        )


async def _events(db: Database) -> list[outbox.OutboxEvent]:
    """The moderation events waiting for the engine (not the seeded deployment's)."""
    async with db.transaction() as s:
        return [e for e in await outbox.pending(s, now=LATER) if e.type.startswith("answer.")]


async def _audit(db: Database) -> list[audit.AuditRecord]:
    async with db.transaction() as s:
        return await audit.recent(s)


async def test_approving_publishes_the_text_and_audits_who_without_the_words(
    database: Database, seeded: Seeded
):
    answer_id = await _free_text(database, seeded)
    async with database.transaction() as s:
        decision = await moderation.approve(
            s, answer_id, by="ana@region.fr", now=LATER, tags=["prix"]
        )
    assert decision.applied
    assert decision.status is ModerationStatus.APPROVED
    async with database.transaction() as s:
        stored = await answers.get(s, answer_id)
    assert stored.moderation_status is ModerationStatus.APPROVED
    assert stored.tags == ("prix",)
    [event] = await _events(database)
    assert event.type == "answer.approved"
    assert event.participant_id == seeded.participant_id
    assert isinstance(event.payload, dict)
    assert event.payload["text"] == WORDS
    assert event.payload["consultation_id"] == "mobilite"
    assert event.payload["tags"] == ["prix"]
    [record] = await _audit(database)
    assert (record.action, record.actor, record.subject) == (
        "answer.approve",
        "ana@region.fr",
        f"answer:{answer_id}",
    )
    assert (record.state_before, record.state_after) == ("pending", "approved")
    assert "06 12" not in repr(record)


async def test_an_approved_redaction_is_the_published_text(database: Database, seeded: Seeded):
    answer_id = await _free_text(database, seeded)
    redacted = "Trop cher, appelez-moi au [téléphone]"
    async with database.transaction() as s:
        await moderation.approve(s, answer_id, by="ana", now=LATER, text=redacted)
        stored = await answers.get(s, answer_id)
    assert stored.redacted_text == redacted
    [event] = await _events(database)
    assert isinstance(event.payload, dict)
    assert event.payload["text"] == redacted
    assert event.payload["redacted"] is True
    assert "06 12" not in repr(event.payload)
    [record] = await _audit(database)
    assert record.details["redacted"] == "yes"


async def test_rejecting_sends_the_reason_never_the_text(database: Database, seeded: Seeded):
    answer_id = await _free_text(database, seeded)
    async with database.transaction() as s:
        decision = await moderation.reject(
            s, answer_id, by="ana", now=LATER, reason="personal-data", note="numéro"
        )
    assert decision.status is ModerationStatus.REJECTED
    [event] = await _events(database)
    assert event.type == "answer.rejected"
    assert isinstance(event.payload, dict)
    assert event.payload["reason"] == "personal-data"
    assert "cher" not in repr(event.payload)
    [record] = await _audit(database)
    assert record.details == {"reason": "personal-data", "note": "yes"}
    assert "numéro" not in repr(record)


async def test_the_first_decision_wins_and_the_second_sees_who(database: Database, seeded: Seeded):
    answer_id = await _free_text(database, seeded)
    async with database.transaction() as s:
        await moderation.approve(s, answer_id, by="ana", now=LATER)
    async with database.transaction() as s:
        second = await moderation.reject(s, answer_id, by="bob", now=LATER, reason="spam")
    assert second.outcome is Outcome.ALREADY_DECIDED
    assert (second.status, second.decided_by, second.decided_at) == (
        ModerationStatus.APPROVED,
        "ana",
        LATER,
    )
    async with database.transaction() as s:
        assert (await answers.get(s, answer_id)).moderation_status is ModerationStatus.APPROVED
    assert [e.type for e in await _events(database)] == ["answer.approved"]
    assert len(await _audit(database)) == 1


async def test_two_moderators_at_once_make_one_decision(database: Database, seeded: Seeded):
    answer_id = await _free_text(database, seeded)

    async def decide(who: str) -> moderation.Decision:
        async with database.transaction() as s:
            if who == "ana":
                return await moderation.approve(s, answer_id, by=who, now=LATER)
            return await moderation.reject(s, answer_id, by=who, now=LATER, reason="spam")

    results = await asyncio.gather(decide("ana"), decide("bob"))
    assert sorted(r.outcome for r in results) == sorted([Outcome.APPLIED, Outcome.ALREADY_DECIDED])
    assert len(await _events(database)) == 1  # one decision, one event for the engine


async def test_a_held_answer_waits_for_its_moderator_until_the_hold_ends(
    database: Database, seeded: Seeded
):
    answer_id = await _free_text(database, seeded)
    async with database.transaction() as s:
        held = await moderation.hold(s, answer_id, by="ana", now=NOW)
    assert held.applied
    async with database.transaction() as s:
        other = await moderation.approve(s, answer_id, by="bob", now=LATER)
        again = await moderation.hold(s, answer_id, by="bob", now=LATER)
    assert other.outcome is Outcome.HELD
    assert other.held_by == "ana"
    assert again.outcome is Outcome.HELD
    expired = NOW + moderation.HOLD
    async with database.transaction() as s:
        assert (await moderation.approve(s, answer_id, by="bob", now=expired)).applied


async def test_the_holder_decides_and_the_hold_ends(database: Database, seeded: Seeded):
    answer_id = await _free_text(database, seeded)
    async with database.transaction() as s:
        await moderation.hold(s, answer_id, by="ana", now=NOW)
        decision = await moderation.reject(s, answer_id, by="ana", now=LATER, reason="spam")
        state = await moderation.state(s, answer_id, now=LATER)
    assert decision.applied
    assert state.held_by is None
    assert state.decided_by == "ana"


async def test_an_answer_erased_by_its_author_reports_erased(database: Database, seeded: Seeded):
    answer_id = await _free_text(database, seeded)
    async with database.transaction() as s:
        await erasure.delete_participant_data(
            s, seeded.participant_id, now=LATER, keep_anonymised_answers=False
        )
    async with database.transaction() as s:
        decision = await moderation.approve(s, answer_id, by="ana", now=LATER)
    assert decision.outcome is Outcome.ERASED
    assert await _events(database) == []


async def test_a_superseded_answer_is_not_decided(database: Database, seeded: Seeded):
    first = await _free_text(database, seeded)
    await _free_text(database, seeded, "Autre chose")
    async with database.transaction() as s:
        decision = await moderation.approve(s, first, by="ana", now=LATER)
    assert decision.outcome is Outcome.SUPERSEDED


async def test_tagging_an_approved_answer_tells_the_engine(database: Database, seeded: Seeded):
    answer_id = await _free_text(database, seeded)
    async with database.transaction() as s:
        await moderation.approve(s, answer_id, by="ana", now=LATER)
        tagged = await moderation.tag(s, answer_id, ["prix", " prix ", "bus"], by="bob", now=LATER)
        stored = await answers.get(s, answer_id)
    assert tagged.applied
    assert stored.tags == ("prix", "bus")
    assert [e.type for e in await _events(database)] == ["answer.approved", "answer.tagged"]
    assert [r.action for r in await _audit(database)] == ["answer.tag", "answer.approve"]


@pytest.mark.parametrize(
    "decide",
    [
        lambda s, i: moderation.reject(s, i, by="ana", now=LATER, reason="  "),
        lambda s, i: moderation.approve(s, i, by="ana", now=LATER, text=" "),
        lambda s, i: moderation.approve(s, i, by="ana", now=LATER, tags=["t"] * 0 + ["x" * 65]),
        lambda s, i: moderation.approve(s, i, by="", now=LATER),
    ],
)
async def test_a_decision_given_wrong_changes_nothing(database: Database, seeded: Seeded, decide):
    answer_id = await _free_text(database, seeded)
    with pytest.raises(InvalidModeration):
        async with database.transaction() as s:
            await decide(s, answer_id)
    async with database.transaction() as s:
        assert (await answers.get(s, answer_id)).moderation_status is ModerationStatus.PENDING
    assert await _events(database) == []


async def test_deciding_on_a_missing_or_structured_answer_is_not_found(
    database: Database, seeded: Seeded
):
    async with database.transaction() as s:
        structured = await answers.record(
            s, seeded.session_id, "mode", "car", question_text="Mode ?", language="fr", now=NOW
        )
    for answer_id in (structured, 9999):
        with pytest.raises(NotFound):
            async with database.transaction() as s:
                await moderation.approve(s, answer_id, by="ana", now=LATER)
