import datetime as dt
from pathlib import Path
from typing import Any

from storage import answers, audit, erasure, outbox
from storage.database import Database
from storage.models import ModerationStatus
from tests.bot.cli.running import consultbot
from tests.storage.seeding import NOW, Seeded, seed

WORDS = "Le bus passe trop rarement, appelez-moi au 06 12 34 56 78"


async def _moderation_events(s: Any) -> list[outbox.OutboxEvent]:
    """The moderation events waiting for the engine (not the seeded deployment's)."""
    events = await outbox.pending(s, now=dt.datetime.now(dt.UTC))
    return [e for e in events if e.type.startswith("answer.")]


async def _pending(database: Database, seeded: Seeded, text: str = WORDS) -> int:
    async with database.transaction() as s:
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


async def test_list_shows_pending_answers_with_a_suggested_redaction(
    database: Database, database_url: str, tmp_path: Path
):
    answer_id = await _pending(database, await seed(database))
    outcome = await consultbot("moderate", "list", database_url=database_url, cwd=tmp_path)
    assert outcome.code == 0, outcome.err
    assert f"#{answer_id}  mobilite v1  why" in outcome.out
    assert "question (fr): Pourquoi ?" in outcome.out
    assert "suggested redaction: Le bus passe trop rarement, appelez-moi au [téléphone]" in (
        outcome.out
    )


async def test_approve_with_a_redacted_text_then_a_second_decision_changes_nothing(
    database: Database, database_url: str, tmp_path: Path
):
    answer_id = await _pending(database, await seed(database))
    redacted = "Le bus passe trop rarement"
    first = await consultbot(
        "moderate", "approve", str(answer_id), "--text", redacted, "--by", "ana",
        database_url=database_url, cwd=tmp_path,
    )  # fmt: skip
    assert first.code == 0, first.err
    assert f"answer {answer_id}: approved" in first.out
    second = await consultbot(
        "moderate", "reject", str(answer_id), "--reason", "spam", "--by", "bob",
        database_url=database_url, cwd=tmp_path,
    )  # fmt: skip
    assert second.code == 1
    assert f"answer {answer_id} was already approved by ana" in second.out
    async with database.transaction() as s:
        stored = await answers.get(s, answer_id)
        events = await _moderation_events(s)
        records = await audit.recent(s)
    assert stored.moderation_status is ModerationStatus.APPROVED
    assert [e.payload["text"] for e in events] == [redacted]  # type: ignore[index]
    assert [(r.action, r.actor) for r in records] == [("answer.approve", "ana")]


async def test_reject_needs_a_configured_reason(
    database: Database, database_url: str, tmp_path: Path
):
    answer_id = await _pending(database, await seed(database))
    refused = await consultbot(
        "moderate", "reject", str(answer_id), "--reason", "boring",
        database_url=database_url, cwd=tmp_path,
    )  # fmt: skip
    assert refused.code == 1
    assert "unknown reason 'boring'; use one of: off-topic, abusive" in refused.err
    assert "Traceback" not in refused.err
    rejected = await consultbot(
        "moderate", "reject", str(answer_id), "--reason", "personal-data",
        database_url=database_url, cwd=tmp_path,
    )  # fmt: skip
    assert rejected.code == 0, rejected.err
    async with database.transaction() as s:
        [event] = await _moderation_events(s)
    assert event.payload == {
        "answer_id": answer_id,
        "consultation_id": "mobilite",
        "flow_version": 1,
        "question_id": "why",
        "language": "fr",
        "reason": "personal-data",
        "rejected_at": event.payload["rejected_at"],  # type: ignore[index]
    }


async def test_deciding_an_erased_answer_says_so(
    database: Database, database_url: str, tmp_path: Path
):
    seeded = await seed(database)
    answer_id = await _pending(database, seeded)
    async with database.transaction() as s:
        await erasure.delete_participant_data(
            s, seeded.participant_id, now=NOW, keep_anonymised_answers=False
        )
    outcome = await consultbot(
        "moderate", "approve", str(answer_id), database_url=database_url, cwd=tmp_path
    )
    assert outcome.code == 1
    assert f"answer {answer_id} was erased by the resident; nothing changed" in outcome.out
    missing = await consultbot(
        "moderate", "approve", "999", database_url=database_url, cwd=tmp_path
    )
    assert missing.code == 1
    assert "no answer 999" in missing.err
