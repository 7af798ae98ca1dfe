"""The Telegram tests' running bot: the channel, polling the fake Bot API, in
front of the real conversation service (a module needing another bot, or
another fake, overrides the fixture)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.channels.telegram.bot import TelegramBot, running_bot
from tests.bot.channels.conftest import FAST, Recorder, telegram_settings
from tests.bot.channels.fake_bot_api import FakeBotApi


@pytest.fixture
async def bot(fake: FakeBotApi, conversations: Recorder) -> AsyncIterator[TelegramBot]:
    async with running_bot(
        telegram_settings(fake), conversations, policy=FAST, poll_timeout=1
    ) as running:
        yield running
