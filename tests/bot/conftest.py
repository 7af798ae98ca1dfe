"""Fixtures for the application: the real conversation service on a real database."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bot.conversation import ConversationService
from tests.bot.channels.fake_bot_api import FakeBotApi
from tests.serving import settings_for, start_service

ServiceFactory = Callable[..., Awaitable[ConversationService]]


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    """A Telegram Bot API server on loopback (Telegram itself is out of reach)."""
    api = FakeBotApi()
    await api.start()
    yield api
    await api.close()


@pytest.fixture
async def open_service(database_url: str) -> AsyncIterator[ServiceFactory]:
    """Opens services on the test database as start-up does (several = several
    processes, or a restart); all are closed at the end. Keyword arguments are
    settings (`tests.serving.settings_for`)."""
    opened: list[ConversationService] = []

    async def factory(**overrides: object) -> ConversationService:
        service = await start_service(settings_for(database_url, **overrides))
        opened.append(service)
        return service

    yield factory
    for service in opened:
        await service.close()


class Clock:
    """Time as the tests decide it."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC))
