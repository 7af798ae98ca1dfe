"""Writing first to a Telegram resident (a message from the consultation team),
by the chat address stored encrypted with them (`telegram.address`).

`send` answers True once Telegram accepted the message, False when it could not
be sent now (no token configured, Telegram unreachable, or it refused this
message): the caller keeps it for the resident's next message. A resident who
blocked the bot raises `telegram.sending.Blocked`.

A text past Telegram's 4,096 UTF-16 units goes as several messages, cut as
replies are (`rendering.split_text`): the team's limit counts characters, and an
emoji is two units, so a message the console took may not fit in one.
"""

from __future__ import annotations

import logging
import os

from telegram import Bot
from telegram.error import TelegramError

from bot.channels.telegram.address import AddressError, ChatAddressCipher
from bot.channels.telegram.bot import quiet_http_logs
from bot.channels.telegram.rendering import split_text
from bot.channels.telegram.sending import DEFAULT_POLICY, DeliveryFailed, RetryPolicy, call_api
from bot.config import Settings

log = logging.getLogger(__name__)


class TelegramDirect:
    def __init__(self, settings: Settings, policy: RetryPolicy = DEFAULT_POLICY) -> None:
        token = settings.telegram.bot_token
        self._token = None if token is None else token.get_secret_value()
        self._base_url = settings.telegram.api_base_url
        self._addresses = ChatAddressCipher.from_settings(settings)
        self._policy = policy
        self._bot: Bot | None = None

    async def send(self, address: bytes, text: str) -> bool:
        try:
            chat_id = self._addresses.decrypt(address.decode("ascii"))
        except (AddressError, UnicodeError) as error:
            log.warning("telegram: a team message cannot be sent: %s", error)
            return False
        bot = await self._ready()
        if bot is None:
            return False
        for part in split_text(text):
            if not await self._send_part(bot, chat_id, part):  # the rest would read cut off
                return False
        return True

    async def _send_part(self, bot: Bot, chat_id: int, text: str) -> bool:
        try:
            sent = await call_api(
                "sendMessage", lambda: bot.send_message(chat_id, text), self._policy
            )
        except DeliveryFailed as error:
            log.warning("telegram: a team message was not sent (%s); kept for later", error)
            return False
        return sent is not None

    async def close(self) -> None:
        if self._bot is not None:
            await self._bot.shutdown()
            self._bot = None

    async def _ready(self) -> Bot | None:
        if self._bot is not None:
            return self._bot
        if self._token is None:
            return None
        os.environ.setdefault("PTB_TIMEDELTA", "true")  # as bot.channels.telegram.bot
        quiet_http_logs()
        bot = Bot(self._token, base_url=self._base_url)
        try:
            await bot.initialize()
        except TelegramError as error:
            log.warning("telegram: cannot reach the Bot API (%s); team messages kept", error)
            await bot.request.shutdown()
            return None
        self._bot = bot
        return bot
