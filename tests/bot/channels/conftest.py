"""Fixtures of the Telegram tests: the fake Bot API on loopback, settings pointing
at it, and `Chat`, which plays one resident and waits for the bot to finish each
update (no sleeps, no timing asserts)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr

from bot.channel_contract import InboundMessage
from bot.channels.telegram.bot import TelegramBot
from bot.channels.telegram.sending import RetryPolicy
from bot.config import Settings, TelegramSettings
from bot.conversation import ConversationService
from flows.replies import Reply
from storage import answers, participants, sessions
from tests.bot.channels.fake_bot_api import TOKEN, FakeBotApi, Resident
from tests.serving import settings_for, start_service


class Waits:
    """The bot's waits between retries, noted instead of slept: no test waits
    real seconds, and a test can check what the bot would have waited."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)
        await asyncio.sleep(0)  # still lets the other tasks run


WAITS = Waits()
FAST = RetryPolicy(max_attempts=5, backoff=0.01, max_wait=5, sleep=WAITS)
WEBHOOK_SECRET = "s3cret_for-tests"


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'consultbot.db'}"


@pytest.fixture
async def service(sqlite_url: str) -> AsyncIterator[ConversationService]:
    """The real conversation service on a real SQLite file."""
    opened = await start_service(settings_for(sqlite_url))
    yield opened
    await opened.close()


class Recorder:
    """The real service, noting what the channel hands it."""

    def __init__(self, service: ConversationService) -> None:
        self.service = service
        self.handled: list[InboundMessage] = []

    async def handle(self, message: InboundMessage) -> list[Reply]:
        self.handled.append(message)
        return await self.service.handle(message)

    async def mark_unreachable(self, channel: str, user_id: str) -> None:
        await self.service.mark_unreachable(channel, user_id)

    async def change_language(
        self, channel: str, user_id: str, language: str, received_at: dt.datetime
    ) -> list[Reply]:
        return await self.service.change_language(channel, user_id, language, received_at)

    async def language_of(self, channel: str, user_id: str) -> str | None:
        return await self.service.language_of(channel, user_id)

    async def max_selections(self, channel: str, user_id: str, shown_at: str) -> int | None:
        return await self.service.max_selections(channel, user_id, shown_at)

    async def participant(self, user_id: int | str) -> Any:
        async with self.service.database.transaction() as s:
            pseudonym = self.service.pseudonym("telegram", str(user_id))
            return await participants.find(s, "telegram", pseudonym)

    async def answers(self, user_id: int | str) -> dict[str, Any]:
        """What storage holds as this resident's current answers."""
        found = await self.participant(user_id)
        if found is None:
            return {}
        async with self.service.database.transaction() as s:
            latest = await sessions.latest(s, found.id)
            if latest is None:
                return {}
            return {a.question_id: a.value for a in await answers.current(s, latest.id)}


@pytest.fixture
def conversations(service: ConversationService) -> Recorder:
    return Recorder(service)


def telegram_settings(fake: FakeBotApi, **telegram: Any) -> Settings:
    return Settings(
        secret_key=SecretStr("test secret key, long and random enough"),
        telegram=TelegramSettings(
            bot_token=SecretStr(TOKEN), api_base_url=fake.base_url, **telegram
        ),
    )


class Chat:
    """One resident talking to a running bot through the fake Bot API."""

    def __init__(self, fake: FakeBotApi, bot: TelegramBot, resident: Resident) -> None:
        self.fake, self.resident = fake, resident
        self.processed: set[int] = set()
        self.attach(bot)

    def attach(self, bot: TelegramBot) -> None:
        """Count the updates the bot finished (also a bot started after a restart)."""
        channel = bot.channel
        process = channel.process

        async def counting(update: Any) -> None:
            await process(update)
            self.processed.add(update.update_id)
            await self.fake.notify()

        channel.process = counting  # type: ignore[method-assign]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.fake.messages_to(self.resident)

    async def settle(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        before = len(self.messages)
        await self.fake.wait_for(lambda: update["update_id"] in self.processed)
        return self.messages[before:]

    async def say(self, text: str) -> list[dict[str, Any]]:
        before = len(self.messages)
        update = self.fake.user_sends(self.resident, text)
        await self.fake.wait_for(lambda: update["update_id"] in self.processed)
        return self.messages[before:]

    async def tap(self, title: str, message: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        before = len(self.messages)
        target = message or self.last_keyboard()
        update = self.fake.user_taps(self.resident, target, title)
        await self.fake.wait_for(lambda: update["update_id"] in self.processed)
        return self.messages[before:]

    def last_keyboard(self) -> dict[str, Any]:
        for message in reversed(self.messages):
            if "reply_markup" in self.fake.message_now(message):
                return message
        raise AssertionError("the bot shows no keyboard")
