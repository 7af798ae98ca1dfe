"""Chats whose replies are waiting for a redelivery.

An update whose replies the Bot API refused even after every retry is left
unconfirmed (bot.channels.telegram.channel): Telegram delivers it again and the
replies the service kept with its claim are sent then. Meanwhile the chat's
later updates wait (they are refused the same way, and come again too), so that
nobody answers a question they never saw. The wait is bounded: an update never
delivered again stops holding its chat after `STALL_S`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.channels.telegram.sending import DeliveryFailed

STALL_S = 600.0  # seconds a chat's later updates wait for one not delivered


class StalledChats:
    """Per chat, the update whose replies were not delivered, and since when."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._stalled: dict[int, tuple[int, float]] = {}

    def check(self, chat_id: int, update_id: int) -> None:
        """Raise DeliveryFailed for an update that came after one of the same
        chat whose replies were not delivered yet: it is handled after it."""
        stalled = self._stalled.get(chat_id)
        if stalled is None or update_id <= stalled[0]:
            return
        if self._clock() - stalled[1] > STALL_S:  # never delivered again: go on
            del self._stalled[chat_id]
            return
        raise DeliveryFailed(f"update {stalled[0]} of this chat is to be delivered first")

    def failed(self, chat_id: int, update_id: int) -> None:
        """The replies to `update_id` were not delivered (the first such update
        of the chat is the one the others wait for)."""
        self._stalled.setdefault(chat_id, (update_id, self._clock()))

    def delivered(self, chat_id: int, update_id: int) -> None:
        """The replies to `update_id` went out: the chat waits no more if it
        was the one waited for."""
        if self._stalled.get(chat_id, (None,))[0] == update_id:
            del self._stalled[chat_id]
