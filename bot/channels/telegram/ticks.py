"""The boxes of a multiple-choice keyboard, ticked one tap at a time before "OK".

A tap ticks or unticks one box: the keyboard is drawn again with its marks
(`rendering.toggles_keyboard`), nothing reaches the conversation service until
"OK". A tick beyond the question's `max_selections` is refused at once (the tap
answered "3 choix au maximum", the keyboard left as it was) rather than the whole
answer when the resident presses OK. The maximum is the service's
(`SelectionLimits`: the question shown at the keyboard's step), asked once per
keyboard and only when a tick could pass it.

In memory only: the ticks not confirmed yet (a restart or another worker
rebuilds them from the keyboard Telegram sends back with each tap) and the
maxima asked.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Protocol, runtime_checkable

from telegram import Bot, InlineKeyboardMarkup

from bot.channels.telegram.bounded import bound
from bot.channels.telegram.rendering import (
    CallbackCodec,
    Toggle,
    read_toggles,
    shown_at,
    toggles_keyboard,
)
from bot.channels.telegram.sending import RetryPolicy, call_api
from flows.catalogue import CATALOGUE

log = logging.getLogger(__name__)

Key = tuple[int, int]  # (chat id, keyboard message id)


@runtime_checkable
class SelectionLimits(Protocol):
    """What the channel asks the conversation service, when it offers it: how
    many boxes the multiple choice shown at step `shown_at` takes at most
    (None: no maximum, or the resident is at another step)."""

    async def max_selections(self, channel: str, user_id: str, shown_at: str) -> int | None: ...


def too_many(maximum: int, language: str | None, default: str) -> str:
    """ "3 choix au maximum" (catalogue `telegram.too_many`), in `language`, else
    in the deployment's `default`. A callback answer: keep it under 200 characters."""
    return CATALOGUE.text("telegram", "too_many", language, default, n=maximum)


class Ticks:
    """The keyboards being ticked, by (chat, message)."""

    def __init__(
        self,
        bot: Bot,
        codec: CallbackCodec,
        policy: RetryPolicy,
        limits: SelectionLimits | None,
        channel: str,
    ) -> None:
        self._bot, self._codec, self._policy = bot, codec, policy
        self._limits, self._channel = limits, channel
        self._ticked: OrderedDict[Key, list[Toggle]] = OrderedDict()
        self._maxima: OrderedDict[Key, int | None] = OrderedDict()

    def current(self, key: Key | None, markup: InlineKeyboardMarkup | None) -> list[Toggle]:
        """The keyboard's boxes as ticked now (read off `markup`, the keyboard
        Telegram sent back, when this process saw no tap of it)."""
        ticked = self._ticked.get(key) if key is not None else None
        if ticked is not None:
            return ticked
        return read_toggles(markup, key[0], self._codec) if key is not None else []

    async def tick(
        self, key: Key, markup: InlineKeyboardMarkup | None, payload: str, user_id: int
    ) -> int | None:
        """Tick or untick the box of `payload` and draw the keyboard again; the
        maximum instead, when ticking it would pass it (nothing changed)."""
        toggles = self.current(key, markup)
        ticking = any(t.payload == payload and not t.checked for t in toggles)
        if ticking:
            maximum = await self._maximum(key, toggles, user_id)
            if maximum is not None and sum(t.checked for t in toggles) >= maximum:
                return maximum
        toggles = [
            Toggle(t.title, t.payload, not t.checked) if t.payload == payload else t
            for t in toggles
        ]
        self._ticked[key] = toggles
        bound(self._ticked)
        drawn = toggles_keyboard(toggles, key[0], self._codec, markup)
        await call_api(
            "editMessageReplyMarkup",
            lambda: self._bot.edit_message_reply_markup(
                chat_id=key[0], message_id=key[1], reply_markup=drawn
            ),
            self._policy,
        )
        return None

    def forget(self, key: Key) -> None:
        """The keyboard was answered."""
        self._ticked.pop(key, None)
        self._maxima.pop(key, None)

    async def _maximum(self, key: Key, toggles: list[Toggle], user_id: int) -> int | None:
        if key in self._maxima:
            return self._maxima[key]
        step = shown_at(toggles)
        if self._limits is None or step is None:
            return None
        try:
            maximum = await self._limits.max_selections(self._channel, str(user_id), step)
        except Exception as error:  # e.g. the database is down: "OK" still refuses too many
            log.info("telegram: the question's maximum not read (%s)", type(error).__name__)
            return None
        self._maxima[key] = maximum
        bound(self._maxima)
        return maximum
