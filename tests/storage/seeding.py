"""A participant with an open session on a deployed flow, for the repository tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from storage import consultations, participants, sessions
from storage.database import Database

NOW = dt.datetime(2026, 6, 15, 9, 30, tzinfo=dt.UTC)
FLOW = "id: mobilite\nquestions: []\n"


@dataclass(frozen=True)
class Seeded:
    participant_id: int
    flow_version_id: int
    session_id: int
    user_hash: str


async def seed(db: Database, user_hash: str = "a1" * 32, channel: str = "telegram") -> Seeded:
    async with db.transaction() as s:
        deployment = await consultations.deploy(s, "mobilite", FLOW, deployed_by="test", now=NOW)
        participant, _ = await participants.get_or_create(s, channel, user_hash, now=NOW)
        stored = await sessions.create(
            s, participant.id, deployment.version.id, {"step": 0}, now=NOW
        )
    return Seeded(participant.id, deployment.version.id, stored.id, user_hash)


async def moderate(
    db: Database, answer_id: int, *, approved: bool, text: str = "", now: dt.datetime = NOW
) -> None:
    """A moderator's decision as the moderation module records it: the answer's
    columns and the outbox event."""
    from storage import answers, outbox
    from storage.models import ModerationStatus

    async with db.transaction() as s:
        stored = await answers.get(s, answer_id)
        status = ModerationStatus.APPROVED if approved else ModerationStatus.REJECTED
        await answers.moderate(s, answer_id, status, now=now, redacted_text=text or None)
        base = {
            "answer_id": answer_id,
            "consultation_id": "mobilite",
            "question_id": stored.question_id,
            "language": stored.language,
        }
        if approved:
            payload = {**base, "text": text, "tags": [], "approved_at": now.isoformat()}
        else:
            payload = {**base, "reason": "off_topic", "rejected_at": now.isoformat()}
        await outbox.enqueue(
            s, "answer.approved" if approved else "answer.rejected", payload, now=now
        )
