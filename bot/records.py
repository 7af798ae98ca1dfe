"""How the facts of a conversation are written as storage records: transcript
lines, answer values, interpretations and replies as JSON."""

from __future__ import annotations

import datetime as dt
from typing import cast

from flows.replies import Reply
from nlu import Answer, Command, Confirm, Interpretation
from nlu.redaction import redact
from storage.columns import JsonValue
from storage.models import Direction
from storage.transcripts import TranscriptLine


def transcript_reply(reply: Reply, at: dt.datetime) -> TranscriptLine:
    buttons = [[b.title, b.payload] for b in reply.buttons] or None
    return TranscriptLine(direction=Direction.OUT, text=reply.text, at=at, buttons=as_json(buttons))


def as_json(value: object) -> JsonValue:
    """Values built here from JSON-safe parts (the engine's state, answers,
    replies) typed as storage expects them."""
    return cast(JsonValue, value)


def holds_personal_data(text: str | None) -> bool:
    """Whether a free-text answer holds personal data (a phone number, an
    e-mail, an address, a name), stored with it for the review queue's filter."""
    return bool(text) and bool(redact(text or "").found)


def plain_value(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def interpretation_json(interpretation: Interpretation | None) -> dict[str, object] | None:
    if interpretation is None:
        return None
    if isinstance(interpretation, Answer):
        return {"answer": plain_value(interpretation.value)}
    if isinstance(interpretation, Command):
        return {"command": interpretation.name}
    if isinstance(interpretation, Confirm):
        return {
            "confirm": [plain_value(c.value) for c in interpretation.candidates],
            "reason": interpretation.reason,
        }
    return {"reject": interpretation.reason}


def replies_from_json(data: object) -> list[Reply]:
    if not isinstance(data, list):
        return []
    return [Reply.from_json(item) for item in data]
