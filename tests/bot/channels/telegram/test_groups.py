"""The bot added to a group chat (or a channel) leaves it, and nothing said
there reaches the conversation service: a consultation is answered in private."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from telegram import Bot, ChatMemberUpdated

from bot.channels.telegram import groups
from tests.bot.channels.conftest import FAST, Chat
from tests.bot.channels.fake_bot_api import TOKEN, FakeBotApi, Resident

GROUP = {"id": -100555, "type": "group", "title": "Quartier Saint-Marceau"}


@dataclass
class FakeWithGroups(FakeBotApi):
    """The fake Bot API, with leaveChat as Telegram answers it."""

    left: list[int] = field(default_factory=list)

    async def _m_leaveChat(self, params: dict[str, Any]) -> bool:
        self.left.append(int(params["chat_id"]))
        return True


@pytest.fixture
async def fake() -> AsyncIterator[FakeWithGroups]:  # the running bot (conftest) polls it
    api = FakeWithGroups()
    await api.start()
    yield api
    await api.close()


def membership(resident: Resident, chat: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """The bot's own membership changed by `resident` (my_chat_member)."""
    bot_user = {"id": 123456789, "is_bot": True, "first_name": "Consultation"}
    return {
        "my_chat_member": {
            "chat": chat,
            "from": resident.as_user(),
            "date": int(time.time()),
            "old_chat_member": {"status": old, "user": bot_user},
            "new_chat_member": {"status": new, "user": bot_user},
        }
    }


def group_message(fake: FakeBotApi, resident: Resident, text: str) -> dict[str, Any]:
    message = {
        "message_id": 4242,
        "from": resident.as_user(),
        "chat": GROUP,
        "date": int(time.time()),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return fake.push({"message": message})


def said_in(fake: FakeBotApi, chat: dict[str, Any]) -> list[str]:
    return [m["text"] for m in fake.sent if m["chat"]["id"] == chat["id"]]


def methods(fake: FakeBotApi) -> list[str]:
    return [method for method, _ in fake.calls if method in ("sendMessage", "leaveChat")]


async def test_the_bot_added_to_a_group_says_it_answers_in_private_then_leaves(
    fake, bot, conversations
):
    chat = Chat(fake, bot, Resident(6001))  # a French speaker adds it
    await chat.settle(fake.push(membership(chat.resident, GROUP, "left", "member")))
    assert said_in(fake, GROUP) == [
        "Je ne réponds qu'en conversation privée : dans un groupe, chacun lirait vos "
        "réponses. Je quitte ce groupe. Pour donner votre avis, écrivez-moi ici : "
        "https://t.me/consultbot_test_bot?start"
    ]
    assert methods(fake) == ["sendMessage", "leaveChat"]  # said once, then left
    assert fake.left == [GROUP["id"]]
    assert conversations.handled == []


async def test_added_by_someone_with_no_language_it_says_so_in_french_and_english(
    fake, bot, conversations
):
    chat = Chat(fake, bot, Resident(6005, language_code=None))
    await chat.settle(fake.push(membership(chat.resident, GROUP, "left", "member")))
    [said] = said_in(fake, GROUP)
    french, english = said.split("\n\n")
    assert french.startswith("Je ne réponds qu'en conversation privée")
    assert english.startswith("I only answer in a private chat")
    assert english.endswith("write to me here: https://t.me/consultbot_test_bot?start")
    assert fake.left == [GROUP["id"]]


async def test_a_group_where_the_bot_may_not_write_is_left_all_the_same(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(6006))
    fake.fail_next(1, 400, methods=frozenset({"sendMessage"}))
    await chat.settle(fake.push(membership(chat.resident, GROUP, "left", "member")))
    assert said_in(fake, GROUP) == []
    assert fake.left == [GROUP["id"]]


async def test_added_to_a_channel_the_bot_leaves_without_posting(fake, bot, conversations):
    channel = {"id": -100777, "type": "channel", "title": "Infos Saint-Marceau"}
    chat = Chat(fake, bot, Resident(6007))
    await chat.settle(fake.push(membership(chat.resident, channel, "left", "member")))
    assert said_in(fake, channel) == []  # a post would reach every subscriber
    assert fake.left == [channel["id"]]


async def test_a_bot_that_does_not_know_its_username_says_it_without_the_link(fake):
    change = ChatMemberUpdated.de_json(
        membership(Resident(6008, "Sam", "en"), GROUP, "left", "member")["my_chat_member"], None
    )
    bot = Bot(TOKEN, base_url=fake.base_url)  # getMe never asked
    try:
        await groups.tell_and_leave(bot, change, FAST, "fr")
    finally:
        await bot.request.shutdown()
    assert said_in(fake, GROUP) == [
        "I only answer in a private chat: in a group, everyone would read your answers. "
        "I am leaving this group. To have your say, open a private chat with me."
    ]
    assert fake.left == [GROUP["id"]]


async def test_a_bot_still_in_a_group_leaves_at_its_first_message_there(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(6002))
    await chat.settle(group_message(fake, chat.resident, "/start@consultbot_test_bot"))
    assert fake.left == [GROUP["id"]]
    assert conversations.handled == []  # nothing of the group reaches the service
    # and the resident still answers in private
    replies = await chat.say("bonjour")
    assert any("Acceptez-vous" in m["text"] for m in replies)


async def test_an_edit_in_a_group_gets_no_edit_notice_there_and_reaches_no_service(
    fake, bot, conversations
):
    chat = Chat(fake, bot, Resident(6009))
    sent = group_message(fake, chat.resident, "bonjour")
    await chat.settle(sent)
    edited = dict(sent["message"], text="salut", edit_date=int(time.time()))
    await chat.settle(fake.push({"edited_message": edited}))
    assert said_in(fake, GROUP) == []  # no "you edited a message" for the whole group
    assert conversations.handled == []
    assert fake.left == [GROUP["id"]]  # left at the message; the edit changes nothing


async def test_a_group_that_cannot_be_left_now_spoils_nothing(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(6003))
    fake.fail_next(5, 502, methods=frozenset({"leaveChat"}))
    await chat.settle(group_message(fake, chat.resident, "bonjour"))
    assert fake.left == []
    await chat.settle(group_message(fake, chat.resident, "bonjour ?"))  # the next one
    assert fake.left == [GROUP["id"]]
    assert conversations.handled == []


async def test_removed_from_a_group_the_bot_does_nothing(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(6004))
    await chat.settle(fake.push(membership(chat.resident, GROUP, "member", "left")))
    assert fake.left == []
    assert [method for method, _ in fake.calls if method == "sendMessage"] == []
