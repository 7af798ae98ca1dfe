"""A text past Telegram's 4,096 characters arrives as several messages (the app
cuts it): the parts after the first are not taken as answers."""

from __future__ import annotations

from typing import Any

from tests.bot.channels.conftest import Chat, Recorder
from tests.bot.channels.fake_bot_api import FakeBotApi, Resident
from tests.serving import DEMO

PASTED = " ".join(["Il faudrait plus de trains le soir entre Orléans et Tours."] * 110)


def cut_as_an_app_does(text: str) -> list[str]:
    """The parts a Telegram app sends: at most 4,096 characters, cut at a space."""
    parts = []
    while len(text) > 4096:
        cut = text.rfind(" ", 0, 4096)
        parts.append(text[:cut])
        text = text[cut + 1 :]
    return [*parts, text]


async def at_the_proposal(fake: FakeBotApi, bot: Any, resident: Resident) -> Chat:
    chat = Chat(fake, bot, resident)
    for line in DEMO[:-1]:
        await chat.say(line)
    assert "proposition" in chat.messages[-1]["text"]
    return chat


async def test_a_pasted_text_cut_in_two_is_refused_once_and_its_tail_stored_nowhere(
    fake: FakeBotApi, bot: Any, conversations: Recorder
):
    chat = await at_the_proposal(fake, bot, Resident(8001))
    first, tail = cut_as_an_app_does(PASTED)
    await chat.settle(fake.user_sends(chat.resident, first))
    replies = await chat.settle(fake.user_sends(chat.resident, tail))  # the same second
    assert replies == []
    said = [m["text"] for m in chat.messages]
    assert sum("trop longue" in text for text in said) == 1
    assert "proposition" in said[-1]  # asked again, not thanked for a fragment
    assert "proposal" not in await conversations.answers(8001)
    last = await chat.say(DEMO[-1])  # a shorter proposal is taken
    assert last[-1]["text"].startswith("Merci")
    assert (await conversations.answers(8001))["proposal"] == DEMO[-1]


async def test_a_message_written_after_a_long_one_is_an_answer(
    fake: FakeBotApi, bot: Any, conversations: Recorder
):
    chat = await at_the_proposal(fake, bot, Resident(8002))
    long = fake.user_sends(chat.resident, PASTED[:4000])
    await chat.settle(long)
    later = fake.user_sends(chat.resident, DEMO[-1])
    later["message"]["date"] = long["message"]["date"] + 30  # written, not cut
    last = await chat.settle(later)
    assert last[-1]["text"].startswith("Merci")
    assert (await conversations.answers(8002))["proposal"] == DEMO[-1]
