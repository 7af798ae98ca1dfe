"""A Bot API outage that outlasts the redeliveries of an update (polling gives
up confirming it after `MAX_REDELIVERIES` fetches): the resident's answers given
meanwhile are not lost, and the replies they were owed reach them, in order,
once Telegram takes messages again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.channels.telegram import polling
from bot.channels.telegram.bot import TelegramBot, running_bot
from tests.bot.channels.conftest import FAST, Chat, Recorder, telegram_settings
from tests.bot.channels.fake_bot_api import FakeBotApi, Resident

OUTAGE = 1000  # sendMessage calls refused: more than the test makes


@pytest.fixture
async def bot(
    fake: FakeBotApi, conversations: Recorder, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[TelegramBot]:
    monkeypatch.setattr(polling, "MAX_REDELIVERIES", 2)  # given up on at the second fetch
    async with running_bot(
        telegram_settings(fake), conversations, policy=FAST, poll_timeout=1
    ) as running:
        yield running


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in messages]


def outage_over(fake: FakeBotApi) -> None:
    """Telegram takes messages again."""
    fake._failures.clear()


async def test_answers_given_during_a_long_outage_are_kept_and_answered_in_order(
    fake, bot, conversations
):
    chat = Chat(fake, bot, Resident(1101))
    await chat.say("bonjour")
    fake.fail_next(OUTAGE, 502, methods=frozenset({"sendMessage"}))
    before = len(chat.messages)
    fake.user_sends(chat.resident, "oui")  # stored; its question never reaches them
    fake.user_sends(chat.resident, "train")  # typed meanwhile
    await fake.wait_confirmed()  # the poller gave up redelivering them
    outage_over(fake)
    await fake.wait_for(lambda: any("satisfait" in t for t in texts(chat.messages)))
    shown = texts(chat.messages[before:])
    mode = [i for i, t in enumerate(shown) if "Comment vous déplacez-vous" in t]
    satisfaction = [i for i, t in enumerate(shown) if "satisfait" in t]
    assert len(mode) == 1  # once
    assert len(satisfaction) == 1
    assert mode[0] < satisfaction[0]  # in the order of the conversation
    assert await conversations.answers(1101) == {"mode": "train"}


async def test_the_resident_s_next_message_first_gets_what_they_were_owed(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1102))
    await chat.say("bonjour")
    fake.fail_next(OUTAGE, 502, methods=frozenset({"sendMessage"}))
    fake.user_sends(chat.resident, "oui")
    fake.user_sends(chat.resident, "train")
    await fake.wait_confirmed()
    outage_over(fake)
    await chat.say("4")  # whatever the retry did meanwhile, nothing is answered unseen
    assert await conversations.answers(1102) == {"mode": "train", "satisfaction": 4}
    shown = texts(chat.messages)
    order = [
        next(i for i, t in enumerate(shown) if words in t)
        for words in ("Comment vous déplacez-vous", "satisfait", "code postal")
    ]
    assert order == sorted(order)
