"""The contract between the channels and the conversation service: a channel
hands over an `InboundMessage` and gets the replies back (`Conversations`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from flows.replies import Reply


@dataclass(frozen=True, slots=True)
class InboundMessage:
    channel: str  # "telegram", "web", "rest", "client"
    user_id: str  # the platform's user id; stored only as a keyed hash
    text: str  # what was typed, or the payload of the tapped button
    message_id: str | None  # the platform's id of this message, for deduplication
    received_at: dt.datetime  # timezone-aware
    consultation_id: str | None = None  # chosen by a deep link or the page
    language: str | None = None  # the platform's hint ("fr", "en"), if any
    # How to write to this resident first later (e.g. a Telegram chat id), already
    # encrypted by the channel: stored with the participant after consent.
    address: str | None = None


class Conversations(Protocol):
    """The conversation service as the channels see it (bot/conversation.py).

    `handle` commits everything the message caused before returning the replies.
    It is idempotent: a message whose `message_id` was already handled for this
    participant changes nothing and returns the replies that were sent the first
    time, so a channel may redeliver after a lost connection.
    """

    async def handle(self, message: InboundMessage) -> Sequence[Reply]: ...
