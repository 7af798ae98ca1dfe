"""The keyboards under the bot's messages, once tapped: the button's spinner
stopped (answerCallbackQuery, with a short notice when there is one to give),
and an answered keyboard removed with the choice written under the question,
so that an old button cannot answer twice."""

from __future__ import annotations

import logging

from telegram import Bot, CallbackQuery, Message

from bot.channels.telegram.rendering import answered_text
from bot.channels.telegram.sending import Blocked, DeliveryFailed, RetryPolicy, call_api

log = logging.getLogger(__name__)


class Keyboards:
    def __init__(self, bot: Bot, policy: RetryPolicy) -> None:
        self._bot, self._policy = bot, policy

    async def answer(self, query: CallbackQuery, text: str | None) -> None:
        """Stop the button's spinner. Cosmetic: a failure never stops the replies."""
        try:
            await call_api(
                "answerCallbackQuery",
                lambda: self._bot.answer_callback_query(query.id, text=text),
                self._policy,
            )
        except (DeliveryFailed, Blocked) as error:
            log.info("telegram: query %s not answered (%s); going on", query.id, error)

    async def mark_answered(self, message: Message | None, shown: str | None) -> None:
        """Remove the keyboard, and write the choice under the question."""
        if message is None or message.reply_markup is None:
            return
        chat_id, message_id = message.chat.id, message.message_id
        text = answered_text(message.text, shown) if message.text and shown else None
        if text is not None:
            await call_api(
                "editMessageText",
                lambda: self._bot.edit_message_text(text, chat_id=chat_id, message_id=message_id),
                self._policy,
            )
        else:
            await call_api(
                "editMessageReplyMarkup",
                lambda: self._bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id),
                self._policy,
            )
