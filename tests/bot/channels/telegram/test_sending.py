"""Calls to the Bot API that survive Telegram's real answers
(bot/channels/telegram/sending.py), against the fake Bot API on loopback: what is
retried, how long it waits, and what is never sent twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from telegram import Bot

from bot.channels.telegram.sending import Blocked, DeliveryFailed, RetryPolicy, call_api
from tests.bot.channels.fake_bot_api import TOKEN, FakeBotApi, Resident

POLICY = RetryPolicy(max_attempts=4, backoff=0.5, max_wait=60.0)
RESIDENT = Resident(4242)


@pytest.fixture
async def bot(fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Bot]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as the application runs PTB
    async with Bot(TOKEN, base_url=fake.base_url) as client:
        yield client


class Waits:
    """The pauses `call_api` asks for, noted instead of slept (no real sleeps)."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def sends(fake: FakeBotApi) -> int:
    return sum(1 for method, _ in fake.calls if method == "sendMessage")


async def send(bot: Bot, waits: Waits, text: str = "Bonjour") -> object:
    return await call_api(
        "sendMessage", lambda: bot.send_message(RESIDENT.id, text), replace(POLICY, sleep=waits)
    )


async def test_a_429_waits_what_telegram_asks_then_sends_once(fake, bot):
    fake.fail_next(2, 429, retry_after=3)
    waits = Waits()
    sent = await send(bot, waits)
    assert waits.seconds == [3.0, 3.0]
    assert sends(fake) == 3
    assert [m["text"] for m in fake.messages_to(RESIDENT)] == ["Bonjour"]
    assert sent is not None


async def test_a_429_longer_than_the_cap_waits_the_cap(fake, bot):
    fake.fail_next(1, 429, retry_after=600)
    waits = Waits()
    await send(bot, waits)
    assert waits.seconds == [60.0]


async def test_server_errors_back_off_doubling(fake, bot):
    fake.fail_next(2, 502)
    fake.fail_next(1, 500)
    waits = Waits()
    await send(bot, waits)
    assert waits.seconds == [0.5, 1.0, 2.0]
    assert [m["text"] for m in fake.messages_to(RESIDENT)] == ["Bonjour"]


async def test_attempts_are_bounded(fake, bot):
    fake.fail_next(POLICY.max_attempts, 502)
    waits = Waits()
    with pytest.raises(DeliveryFailed, match="no success after 4 attempts"):
        await send(bot, waits)
    assert sends(fake) == POLICY.max_attempts
    assert len(waits.seconds) == POLICY.max_attempts - 1
    assert fake.messages_to(RESIDENT) == []


async def test_the_last_attempt_does_not_say_it_retries(fake, bot, caplog):
    caplog.set_level("WARNING", logger="bot.channels.telegram.sending")
    fake.fail_next(POLICY.max_attempts, 502)
    with pytest.raises(DeliveryFailed):
        await send(bot, Waits())
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == POLICY.max_attempts
    assert all("retrying in" in line for line in lines[:-1])
    assert "retrying" not in lines[-1]
    assert "giving up" in lines[-1]


async def test_a_resident_who_blocked_the_bot_is_never_retried(fake, bot):
    fake.block(RESIDENT)
    waits = Waits()
    with pytest.raises(Blocked):
        await send(bot, waits)
    assert sends(fake) == 1
    assert waits.seconds == []


async def test_a_refused_message_is_skipped_not_retried(fake, bot):
    waits = Waits()
    assert await send(bot, waits, "x" * 5000) is None  # 400: too long
    assert sends(fake) == 1
    assert waits.seconds == []


async def test_an_edit_that_changes_nothing_is_done(fake, bot):
    message = await bot.send_message(RESIDENT.id, "Oui ?")
    waits = Waits()
    same = await call_api(
        "editMessageText",
        lambda: bot.edit_message_text("Oui ?", RESIDENT.id, message.message_id),
        replace(POLICY, sleep=waits),
    )
    assert same is None
    assert fake.edits == []
    assert [method for method, _ in fake.calls].count("editMessageText") == 1
