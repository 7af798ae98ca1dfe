"""Long polling (bot/channels/telegram/polling.py) against the fake Bot API on
loopback: an update is confirmed only once processed, one that cannot be read is
skipped without deafening the bot, and a failing update spoils no other."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, Update

from bot.channels.telegram.polling import Poller
from bot.channels.telegram.sending import DeliveryFailed
from tests.bot.channels.fake_bot_api import TOKEN, FakeBotApi, Resident

ALICE, BOB = Resident(5001), Resident(5002)


class Processed:
    """What the poller handed over, in order; `hold` keeps updates in flight."""

    def __init__(self, fake: FakeBotApi) -> None:
        self.fake = fake
        self.texts: list[str] = []
        self.started: list[str] = []
        self.hold = asyncio.Event()
        self.hold.set()
        self.fail_on: set[str] = set()
        self.undelivered: set[str] = set()  # replies not delivered, once

    async def __call__(self, update: Update) -> None:
        assert update.message is not None
        text = update.message.text or ""
        self.started.append(text)
        await self.fake.notify()
        await self.hold.wait()
        if text in self.fail_on:
            raise RuntimeError("this update breaks the handler")
        if text in self.undelivered:
            self.undelivered.discard(text)
            raise DeliveryFailed("sendMessage: no success after 5 attempts")
        self.texts.append(text)
        await self.fake.notify()


@pytest.fixture
async def bot(fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Bot]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as the application runs PTB
    async with Bot(TOKEN, base_url=fake.base_url) as client:
        yield client


@pytest.fixture
async def polling(fake: FakeBotApi, bot: Bot) -> AsyncIterator[Processed]:
    processed = Processed(fake)
    poller = Poller(bot, processed, allowed_updates=("message",), timeout=1)
    poller.start()
    yield processed
    processed.hold.set()
    await poller.stop()


async def test_updates_are_processed_then_confirmed(fake, polling):
    fake.user_sends(ALICE, "bonjour")
    fake.user_sends(BOB, "hello")
    await fake.wait_for(lambda: len(polling.texts) == 2)
    await fake.wait_confirmed()
    assert sorted(polling.texts) == ["bonjour", "hello"]


async def test_an_update_in_flight_is_not_confirmed(fake, polling):
    polling.hold.clear()
    update = fake.user_sends(ALICE, "oui")
    await fake.wait_for(lambda: polling.started == ["oui"])
    # Fetched and being processed, not confirmed: a crash now would get it again.
    assert update in fake.updates
    polling.hold.set()
    await fake.wait_for(lambda: polling.texts == ["oui"])
    await fake.wait_confirmed()


async def test_an_update_that_cannot_be_read_is_skipped_and_later_ones_arrive(fake, polling):
    fake.push({"message": {"message_id": "not a number", "chat": "not an object"}})
    fake.user_sends(ALICE, "oui")
    await fake.wait_for(lambda: polling.texts == ["oui"])
    await fake.wait_confirmed()
    fake.user_sends(ALICE, "train")
    await fake.wait_for(lambda: polling.texts == ["oui", "train"])


async def test_a_failing_update_spoils_no_other_and_is_not_fetched_again(fake, polling):
    polling.fail_on = {"boom"}
    fake.user_sends(ALICE, "boom")
    fake.user_sends(BOB, "bonjour")
    await fake.wait_for(lambda: polling.texts == ["bonjour"])
    await fake.wait_confirmed()
    fake.user_sends(BOB, "oui")
    await fake.wait_for(lambda: polling.texts == ["bonjour", "oui"])


async def test_an_update_whose_replies_were_not_delivered_is_fetched_again(fake, polling):
    polling.undelivered = {"oui"}
    update = fake.user_sends(ALICE, "oui")
    fake.user_sends(BOB, "bonjour")
    await fake.wait_for(lambda: polling.texts.count("oui") == 1)
    await fake.wait_confirmed()
    assert polling.started.count("oui") == 2  # fetched again, not confirmed the first time
    assert update not in fake.updates


async def test_a_refused_token_is_reported_and_tried_again_until_it_is_taken(fake, bot, caplog):
    processed = Processed(fake)
    poller = Poller(bot, processed, allowed_updates=("message",), timeout=1, refused_wait=0.05)
    fake.token = "123456:REVOKED"  # revoked in @BotFather while the bot runs
    poller.start()
    try:
        await fake.wait_for(lambda: poller.problem == "telegram_token_refused")
        fake.user_sends(ALICE, "bonjour")
        assert caplog.text.count("refused the token") == 1  # once, with what to do
        assert "CONSULTBOT_TELEGRAM__BOT_TOKEN" in caplog.text
        fake.token = TOKEN  # put right: polling goes on by itself
        await fake.wait_for(lambda: processed.texts == ["bonjour"])
        assert poller.problem is None
    finally:
        await poller.stop()
