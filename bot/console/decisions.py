"""Moderation as the console and the `moderate` command offer it: the reasons a
deployment allows, the redaction suggested for a text, the personal-data scan
of the queue, and what to tell a moderator about a decision."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence

from bot.errors import UserError
from nlu.redaction import redact
from storage import review_queue
from storage.database import Database
from storage.moderation import Decision, Outcome

SCAN_BATCH = 500


class UnknownReason(UserError):
    """A rejection reason that is not in the deployment's list."""


def checked_reason(reason: str, allowed: Sequence[str]) -> str:
    if reason not in allowed:
        raise UnknownReason(
            f"unknown reason {reason!r}; use one of: {', '.join(allowed)} "
            "(console.rejection_reasons in config.yml)"
        )
    return reason


def suggested_redaction(text: str, language: str) -> str | None:
    """The text with its personal data replaced, or None if none was found."""
    found = redact(text, language if language in ("fr", "en") else "fr")
    return found.text if found.found else None


def personal_data_kinds(text: str, language: str) -> tuple[str, ...]:
    """The kinds of personal data found in `text` ("phone", "email", ...), each
    once, in the order found; empty when there is none."""
    found = redact(text, language if language in ("fr", "en") else "fr").found
    return tuple(dict.fromkeys(item.kind for item in found))


def unpublishable_in_bulk(answer_id: int, text: str, language: str) -> str | None:
    """Why a bulk approval must leave this answer pending, or None: approved in
    bulk, an answer is published as written, unread, so one holding personal
    data would publish a phone number or an e-mail nobody chose to keep."""
    kinds = personal_data_kinds(text, language)
    if not kinds:
        return None
    return (
        f"answer {answer_id} holds personal data ({', '.join(kinds)}): "
        "approve it redacted on its own; it stays pending"
    )


async def scan_personal_data(database: Database, *, limit: int | None = None) -> int:
    """Mark pending answers not scanned yet as holding personal data or not, a
    batch per transaction; how many were scanned (at most about `limit`)."""
    scanned = 0
    while limit is None or scanned < limit:
        async with database.transaction() as session:
            batch = await review_queue.unscanned(session, limit=SCAN_BATCH)
            await review_queue.mark_scanned(
                session, {answer_id: bool(redact(text).found) for answer_id, text in batch}
            )
        scanned += len(batch)
        if len(batch) < SCAN_BATCH:
            break
    return scanned


def _when(moment: dt.datetime | None, word: str = "at") -> str:
    return "" if moment is None else f" {word} {moment:%Y-%m-%d %H:%M} UTC"


def outcome_message(decision: Decision) -> str:
    """What a moderator is told about their decision on an answer."""
    number = f"answer {decision.answer_id}"
    status = decision.status.value if decision.status is not None else ""
    match decision.outcome:
        case Outcome.APPLIED:
            return f"{number}: {status}"
        case Outcome.ALREADY_DECIDED:
            return (
                f"{number} was already {status} by {decision.decided_by}"
                f"{_when(decision.decided_at)}; nothing changed"
            )
        case Outcome.HELD:
            holder = decision.held_by or "another moderator"
            # held_until is when the hold ends, not when it began.
            until = _when(decision.held_until, "until")
            return f"{number} is open with {holder}{until}; nothing changed"
        case Outcome.SUPERSEDED:
            return f"{number} was replaced by the resident's newer answer; nothing changed"
        case Outcome.ERASED:
            return f"{number} was erased by the resident; nothing changed"


@functools.lru_cache(maxsize=4096)  # the same pending answers are shown again and again
def highlighted(text: str, language: str) -> tuple[tuple[tuple[str, str | None], ...], str | None]:
    """`text` cut into pieces, each with the kind of personal data it is (None
    for the rest), for the console to highlight; and the suggested redaction
    (None if there is no personal data)."""
    redaction = redact(text, language if language in ("fr", "en") else "fr")
    found = redaction.found
    spans: list[tuple[int, int, str]] = []
    for item in found:
        start = text.find(item.value)
        while start != -1 and any(s <= start < e for s, e, _ in spans):
            start = text.find(item.value, start + 1)
        if start != -1:
            spans.append((start, start + len(item.value), item.kind))
    pieces: list[tuple[str, str | None]] = []
    position = 0
    for start, end, kind in sorted(spans):
        if start < position:
            continue
        if start > position:
            pieces.append((text[position:start], None))
        pieces.append((text[start:end], kind))
        position = end
    if position < len(text):
        pieces.append((text[position:], None))
    return tuple(pieces), (redaction.text if found else None)
