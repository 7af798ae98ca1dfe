"""What the Telegram channel asks the conversation service besides `handle`,
each when the service offers it (`bot.conversation.ConversationService` offers
them all; a test's scripted service may offer none). The tick beyond a multiple
choice's maximum is asked as `ticks.SelectionLimits`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, runtime_checkable

from flows.replies import Reply


@runtime_checkable
class Reachability(Protocol):
    """What the channel tells the conversation service when Telegram answers 403."""

    async def mark_unreachable(self, channel: str, user_id: str) -> None: ...


@runtime_checkable
class Unblocking(Protocol):
    """What the channel tells the conversation service when a resident
    unblocks the bot: they are reachable again, and the team's messages that
    waited for them are handed to `send` now (a message `send` raised on
    waits again for their next message)."""

    async def mark_reachable(
        self,
        channel: str,
        user_id: str,
        now: dt.datetime,
        send: Callable[[Reply], Awaitable[None]],
    ) -> None: ...


@runtime_checkable
class LanguageChoice(Protocol):
    """What the channel asks the conversation service on /langue, when it offers
    it: switch the resident's conversation to `language` (the engine's
    `flows.events.ChangeLanguage`) and return the replies (the question asked
    again in that language). Without it the choice is only the language hint of
    the resident's next messages, which counts before consent."""

    async def change_language(
        self, channel: str, user_id: str, language: str, received_at: dt.datetime
    ) -> Sequence[Reply]: ...


@runtime_checkable
class KeptLanguage(Protocol):
    """The language kept with an enrolled resident (None for others), for the
    channel's own texts."""

    async def language_of(self, channel: str, user_id: str) -> str | None: ...
