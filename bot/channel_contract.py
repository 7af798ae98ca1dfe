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
    # The platform's id of this message, for deduplication; channels refuse one
    # with control characters (a NUL in `text` is dropped by the service).
    message_id: str | None
    received_at: dt.datetime  # timezone-aware
    consultation_id: str | None = None  # chosen by a deep link or the page
    language: str | None = None  # the platform's hint ("fr", "en"), if any
    # How to write to this resident first later (e.g. a Telegram chat id), already
    # encrypted by the channel: stored with the participant after consent.
    address: str | None = None
    # The step of the conversation a tapped button was shown at (`bot.button_steps`),
    # read off its payload by the service; None for typed text.
    shown_at: str | None = None
    # The source tag of the link the resident came by (`bot.source_tags`), if any.
    source: str | None = None

    @property
    def is_start(self) -> bool:
        """Telegram's /start (also what a deep link sends): begin or resume."""
        return self.text.strip().lower() == "/start"


class Unavailable(Exception):
    """Nothing of the message was stored (the database failed): the channel asks
    for it again later. `replies` tells the resident so, in their language."""

    def __init__(self, replies: Sequence[Reply]) -> None:
        super().__init__("the message could not be stored")
        self.replies = tuple(replies)


class ButtonOutdated(Exception):
    """The tapped button belongs to a question answered since: nothing was
    stored. `replies` tells the resident so, in their language."""

    def __init__(self, replies: Sequence[Reply]) -> None:
        super().__init__("the button's question was already answered")
        self.replies = tuple(replies)


class Conversations(Protocol):
    """The conversation service as the channels see it (bot/conversation.py).

    `handle` commits everything the message caused before returning the replies.
    It is idempotent: a message whose `message_id` was already handled for this
    participant changes nothing and returns the replies that were sent the first
    time, so a channel may redeliver after a lost connection. It raises
    `Unavailable` when the message could not be stored, and `ButtonOutdated`
    for a button of a question answered since (`bot.button_steps`).
    """

    async def handle(self, message: InboundMessage) -> Sequence[Reply]: ...
