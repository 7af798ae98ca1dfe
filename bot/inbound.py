"""What every channel hands to the conversation service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class InboundMessage:
    channel: str  # "telegram", "web", "rest", "client"
    user_id: str  # the platform's user id; stored only as a keyed hash
    text: str  # what was typed, or the payload of the tapped button
    message_id: str | None  # the platform's id of this message, for deduplication
    received_at: dt.datetime  # timezone-aware
    consultation_id: str | None = None  # chosen by a deep link or the page
    language: str | None = None  # the platform's hint ("fr", "en"), if any
