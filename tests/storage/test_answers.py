import datetime as dt

import pytest

from storage import answers, consultations, participants, sessions
from storage.database import Database
from storage.errors import NotFound
from storage.models import ModerationStatus
from tests.storage.seeding import NOW, Seeded

QUESTION = "Comment vous déplacez-vous le plus souvent ?"


async def _answer(db: Database, seeded: Seeded, question: str, value, at=NOW, **kw) -> int:
    async with db.transaction() as s:
        return await answers.record(
            s,
            seeded.session_id,
            question,
            value,
            question_text=kw.pop("question_text", QUESTION),
            language=kw.pop("language", "fr"),
            now=at,
            **kw,
        )


async def test_an_answer_keeps_value_raw_text_and_the_wording_shown(
    database: Database, seeded: Seeded
):
    answer_id = await _answer(database, seeded, "mode", ["car", "train"], raw_text="voiture, TER")
    async with database.transaction() as s:
        stored = await answers.get(s, answer_id)
    assert stored.value == ["car", "train"]
    assert stored.raw_text == "voiture, TER"
    assert stored.question_text == QUESTION
    assert stored.language == "fr"
    assert stored.answered_at == NOW
    assert not stored.superseded
    assert stored.moderation_status is None


async def test_answering_again_supersedes_the_previous_answer(database: Database, seeded: Seeded):
    later = NOW + dt.timedelta(minutes=1)
    await _answer(database, seeded, "mode", "car")
    await _answer(database, seeded, "satisfaction", 2)
    await _answer(database, seeded, "mode", "train", at=later)
    async with database.transaction() as s:
        current = await answers.current(s, seeded.session_id)
        history = await answers.history(s, seeded.session_id)
    assert [(a.question_id, a.value) for a in current] == [("satisfaction", 2), ("mode", "train")]
    assert [(a.value, a.superseded_at) for a in history if a.question_id == "mode"] == [
        ("car", later),
        ("train", None),
    ]


async def test_a_restart_supersedes_every_answer_of_the_session(database: Database, seeded: Seeded):
    await _answer(database, seeded, "mode", "car")
    await _answer(database, seeded, "satisfaction", 4)
    async with database.transaction() as s:
        assert await answers.supersede(s, seeded.session_id, now=NOW) == 2
        assert await answers.current(s, seeded.session_id) == []


async def test_going_back_supersedes_only_the_named_questions(database: Database, seeded: Seeded):
    await _answer(database, seeded, "mode", "car")
    await _answer(database, seeded, "satisfaction", 4)
    async with database.transaction() as s:
        assert await answers.supersede(s, seeded.session_id, now=NOW, question_ids=["mode"]) == 1
        current = await answers.current(s, seeded.session_id)
    assert [a.question_id for a in current] == ["satisfaction"]


async def test_free_text_waits_for_moderation_then_is_decided(database: Database, seeded: Seeded):
    answer_id = await _answer(
        database, seeded, "why", "Le TER 06h12 est toujours en retard", needs_moderation=True
    )
    await _answer(database, seeded, "mode", "car")
    async with database.transaction() as s:
        pending = await answers.for_moderation(s)
        assert [a.id for a in pending] == [answer_id]
        assert pending[0].moderation_status is ModerationStatus.PENDING
        await answers.moderate(
            s,
            answer_id,
            ModerationStatus.APPROVED,
            now=NOW,
            redacted_text="Le TER [horaire] est toujours en retard",
            tags=["ter", "retards"],
        )
    async with database.transaction() as s:
        stored = await answers.get(s, answer_id)
        assert await answers.for_moderation(s) == []
        approved = await answers.for_moderation(s, status=ModerationStatus.APPROVED)
        counts = await answers.count_by_moderation_status(s)
    assert stored.moderation_status is ModerationStatus.APPROVED
    assert stored.redacted_text == "Le TER [horaire] est toujours en retard"
    assert stored.tags == ("ter", "retards")
    assert stored.moderated_at == NOW
    assert [a.id for a in approved] == [answer_id]
    assert counts == {
        ModerationStatus.PENDING: 0,
        ModerationStatus.APPROVED: 1,
        ModerationStatus.REJECTED: 0,
    }


async def test_an_answer_needing_no_moderation_cannot_be_moderated(
    database: Database, seeded: Seeded
):
    answer_id = await _answer(database, seeded, "mode", "car")
    with pytest.raises(NotFound):
        async with database.transaction() as s:
            await answers.moderate(s, answer_id, ModerationStatus.REJECTED, now=NOW)


async def test_moderation_queue_pages_and_filters_by_consultation(
    database: Database, seeded: Seeded
):
    ids = [
        await _answer(database, seeded, f"q{n}", f"texte {n}", needs_moderation=True)
        for n in range(3)
    ]
    async with database.transaction() as s:
        budget = await consultations.deploy(s, "budget", "id: budget\n", deployed_by="t", now=NOW)
        other, _ = await participants.get_or_create(s, "web", "b2" * 32, now=NOW)
        other_session = await sessions.create(s, other.id, budget.version.id, {}, now=NOW)
        budget_answer = await answers.record(
            s,
            other_session.id,
            "why",
            "plus de pistes cyclables",
            question_text="Pourquoi ?",
            language="fr",
            now=NOW,
            needs_moderation=True,
        )
    async with database.transaction() as s:
        first_page = await answers.for_moderation(s, limit=2)
        second_page = await answers.for_moderation(s, limit=2, after_id=first_page[-1].id)
        of_budget = await answers.for_moderation(s, consultation_id="budget")
        of_mobilite = await answers.for_moderation(s, consultation_id="mobilite")
    assert [a.id for a in first_page] == ids[:2]
    assert [a.id for a in second_page] == [ids[2], budget_answer]
    assert [a.id for a in of_budget] == [budget_answer]
    assert [a.id for a in of_mobilite] == ids


async def test_a_consultation_s_current_answers_page_without_rejected_text(
    database: Database, seeded: Seeded
):
    kept = await _answer(database, seeded, "mode", "car")
    await _answer(database, seeded, "satisfaction", 1)
    latest = await _answer(database, seeded, "satisfaction", 2)  # supersedes the 1
    rejected = await _answer(database, seeded, "why", "insulte", needs_moderation=True)
    pending = await _answer(database, seeded, "why2", "trop cher", needs_moderation=True)
    async with database.transaction() as s:
        await answers.moderate(s, rejected, ModerationStatus.REJECTED, now=NOW)
        page = await answers.for_consultation(s, "mobilite", limit=2)
        rest = await answers.for_consultation(s, "mobilite", after_id=page[-1].id)
        other = await answers.for_consultation(s, "budget")
    assert [a.id for a in page + rest] == [kept, latest, pending]
    assert [a.value for a in page] == ["car", 2]
    assert other == []
