"""Fixtures for the application: the real conversation service on a real database."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bot.config import Settings, load_settings
from bot.conversation import ConversationService
from nlu import Interpreter
from tests.bot.channels.fake_bot_api import FakeBotApi

SECRET = "test-secret-key-0123456789abcdef"
ServiceFactory = Callable[..., Awaitable[ConversationService]]


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    """A Telegram Bot API server on loopback (Telegram itself is out of reach)."""
    api = FakeBotApi()
    await api.start()
    yield api
    await api.close()


@pytest.fixture(scope="session")
def interpreter() -> Interpreter:
    """Built once: it is immutable, and training it takes a second or two."""
    return Interpreter()


def settings_for(database_url: str, **environ: str) -> Settings:
    return load_settings(
        environ={
            "CONSULTBOT_DATABASE_URL": database_url,
            "CONSULTBOT_SECRET_KEY": SECRET,
            **{f"CONSULTBOT_{key.upper()}": value for key, value in environ.items()},
        }
    )


@pytest.fixture
async def open_service(
    database_url: str, interpreter: Interpreter
) -> AsyncIterator[ServiceFactory]:
    """Opens services on the test database (several = several processes, or a
    restart); all are closed at the end."""
    opened: list[ConversationService] = []

    async def factory(**environ: str) -> ConversationService:
        service = await ConversationService.open(
            settings_for(database_url, **environ), interpreter=interpreter
        )
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
