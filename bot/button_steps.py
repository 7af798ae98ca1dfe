"""A button answers only the question it was shown with.

Every button the conversation service hands to a channel carries the step of the
conversation it was shown at, in its payload: `[<step>] <payload>` (e.g.
`[k3xq7m2a] yes`). Channels send the payload back as the message text, as they
always did (Telegram inside its signed callback data, the web chat and REST
clients as the message); the service reads the step off before interpreting the
text, and a button shown at another step than the current one is answered "you
already answered this question" with nothing stored (`bot.channel_contract.ButtonOutdated`).

A step is the session and where it stands: its status, the question asked and
how many questions were answered before it (and, in a ranking, how many
choices are picked). So an old "Oui" of a question
answered since (typed, or by another button) no longer answers the question
asked now, while the buttons of a question asked again (after "retour") answer
it again. Typed text carries no step and is always read against the current
question. A multiple choice sent by the web chat joins the tapped payloads
("[s] bus, [s] bike"): every stamp of the same step is read off.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from bot.base32 import letters
from flows.replies import Button, Reply
from flows.state import SessionState

_STAMP = re.compile(r"\[([a-z2-7]{8})\] ")

_ALREADY_ANSWERED = {
    "fr": "Vous avez déjà répondu à cette question.",
    "en": "You already answered this question.",
}


def step_of(session_id: int | None, state: SessionState | None) -> str:
    """The step a conversation is at: `state` of session `session_id` (None,
    None before consent)."""
    if state is None:
        where = "consent"
    else:
        where = f"{state.status}|{state.question_id}|{len(state.history)}"
        if state.ranked:  # each pick of a ranking is a step of its own
            where += f"|{len(state.ranked)}"
    digest = hashlib.sha256(f"{session_id}|{where}".encode()).digest()
    # Five bytes are exactly eight base32 letters, the start of the whole
    # digest's base32 encoding.
    return letters(digest[:5])


def stamp(replies: Sequence[Reply], step: str) -> list[Reply]:
    """The replies with the step in their buttons' payloads."""
    return [
        reply.with_buttons(tuple([Button(b.title, f"[{step}] {b.payload}") for b in reply.buttons]))
        if reply.buttons
        else reply
        for reply in replies
    ]


def read(text: str) -> tuple[str, str | None]:
    """(the payload, the step it was shown at) of a tapped button; (the text,
    None) for typed text."""
    found = _STAMP.match(text)
    if found is None:
        return text, None
    step = found.group(1)
    return text[found.end() :].replace(f"[{step}] ", ""), step


def already_answered(language: str | None) -> Reply:
    return Reply(_ALREADY_ANSWERED.get(language or "", _ALREADY_ANSWERED["fr"]))
