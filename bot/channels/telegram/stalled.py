"""Chats whose updates wait for Telegram to take the bot's replies again.

An update whose replies the Bot API refused even after every retry is left
unconfirmed (bot.channels.telegram.channel): its answer is stored and its
replies kept with its claim. Its chat's later updates wait behind it, so that
nobody answers a question they never saw. Each is kept here, in order, until it
is handled and its replies delivered; whenever one of them comes again, or the
poller asks (`TelegramChannel.retry_held`), they are tried again from the first:
the first one's kept replies are sent, then the others are handled.

So the resident loses nothing when the transport stops delivering an update
again (polling gives up confirming it after `polling.MAX_REDELIVERIES` fetches,
so as not to hold up every other chat; Telegram drops a webhook update after a
day, a tap after 150 seconds): what they wrote meanwhile is handled, and what
they were owed reaches them, in order, once Telegram takes messages. What is
kept here is lost if the process stops first (said in one log line at stop).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Update

from bot.channels.telegram.sending import DeliveryFailed

log = logging.getLogger(__name__)


class StalledChats:
    """Per chat, the updates not done yet, oldest first: the first one's
    replies were not delivered, the others came after it."""

    def __init__(self) -> None:
        self._held: dict[int, list[Update]] = {}

    def hold(self, chat_id: int, update: Update) -> None:
        """Keep `update` in its place among the chat's (once, however often it
        comes)."""
        held = self._held.setdefault(chat_id, [])
        if all(kept.update_id != update.update_id for kept in held):
            held.append(update)
            held.sort(key=lambda kept: kept.update_id)

    async def catch_up(
        self, chat_id: int, once: Callable[[Update], Awaitable[None]], current: int | None = None
    ) -> bool:
        """Handle the chat's updates with `once`, oldest first, until one's
        replies are not delivered (`DeliveryFailed`: it and the later ones stay).
        Whether `current` (an update id) is done. An update that fails otherwise
        is dropped: raised if it is `current`, else logged."""
        for update in self.waiting(chat_id):
            try:
                await once(update)
            except DeliveryFailed:
                break
            except Exception as error:
                self.done(chat_id, update.update_id)
                if update.update_id == current:
                    raise
                log.error("telegram: update %s failed: %s", update.update_id, type(error).__name__)
                continue
            self.done(chat_id, update.update_id)
        return all(update.update_id != current for update in self.waiting(chat_id))

    def waiting(self, chat_id: int) -> list[Update]:
        """The chat's updates still to do, oldest first."""
        return list(self._held.get(chat_id, ()))

    def done(self, chat_id: int, update_id: int) -> None:
        held = [kept for kept in self._held.get(chat_id, ()) if kept.update_id != update_id]
        if held:
            self._held[chat_id] = held
        else:
            self._held.pop(chat_id, None)

    def chats(self) -> list[int]:
        return list(self._held)

    def count(self) -> int:
        """How many updates are kept, all chats together."""
        return sum(len(held) for held in self._held.values())
