"""What can happen to a conversation: the inputs of `flows.engine.advance`.

The bot turns each inbound message into a `Message` after asking `nlu` to
interpret it against `flows.engine.expecting(...)`. Before consent there is no
session state, so the events that may open a conversation carry the platform's
language hint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from nlu.interpretation import Interpretation


@dataclass(frozen=True, slots=True)
class Start:
    """The resident opened the conversation (/start, a deep link, the web page)."""

    consultation_id: str | None = None
    language: str | None = None  # the platform's hint; used while there is no state


@dataclass(frozen=True, slots=True)
class Message:
    """The resident sent a text (or tapped a button: its payload is the text)."""

    text: str
    interpretation: Interpretation
    language: str | None = None  # the platform's hint; used while there is no state
    # Before consent: whether the replies to their previous message asked this
    # flow's consent question (`ConsentAsked`). Only then does a yes consent.
    consent_asked: bool = False


@dataclass(frozen=True, slots=True)
class Returned:
    """The resident came back after their session expired: offer to resume or
    start again."""


@dataclass(frozen=True, slots=True)
class ChangeLanguage:
    language: str


Event: TypeAlias = Start | Message | Returned | ChangeLanguage
