"""Chats whose updates wait for Telegram to take the bot's replies again.

An update whose replies the Bot API refused even after every retry is left
unconfirmed (bot.channels.telegram.channel): its answer is stored and its
replies kept with its claim. Its chat's later updates wait behind it, so that
nobody answers a question they never saw. When polling, each is kept here, in
order, until it is handled and its replies delivered; whenever one of them
comes again, or the poller asks (`TelegramChannel.retry_held`), they are tried
again from the first: the first one's kept replies are sent, then the others
are handled.

So the resident loses nothing when polling stops fetching an update again (it
gives up confirming it after `polling.MAX_REDELIVERIES` fetches, so as not to
hold up every other chat): what they wrote meanwhile is handled, and what
they were owed reaches them, in order, once Telegram takes messages. What is
kept here is lost if the process stops first (said in one log line at stop).

With webhooks (one process or several, `--workers`) nothing is kept here, and
nothing needs to be: the Bot API sends one chat's updates one at a time, the
next only once the webhook answered 2xx for the first or the first expired (a
day for a message: a queue per chat in telegram-bot-api's WebhookActor), so no
process gets a resident's later message while one answers 502 for an earlier
one, which Telegram delivers again to whichever process. Taps come by another
queue (per user, kept 150 s), so a tap can be handled meanwhile, here or in
another process; it is read at the step its keyboard was shown at
(`bot.button_steps`): a keyboard answered since is refused ("already
answered"), so nothing is answered unseen nor twice. What can happen: the typed
message changed nothing (an answer not understood, asked again) and the tap
answers the question still asked; its replies then come before the typed
message's kept ones. A hold per process could not prevent that across
processes, and would send the kept replies a second time when another process
had delivered them (it cannot know), so there is none.
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
