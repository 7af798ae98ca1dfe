"""The bot added to a group chat (or a channel) leaves it, and nothing said
there reaches the conversation service: a consultation is answered in private."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.bot.channels.conftest import Chat
from tests.bot.channels.fake_bot_api import FakeBotApi, Resident

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


async def test_the_bot_added_to_a_group_leaves_it(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(6001))
    await chat.settle(fake.push(membership(chat.resident, GROUP, "left", "member")))
    assert fake.left == [GROUP["id"]]
    assert [m for m in fake.sent if m["chat"]["id"] == GROUP["id"]] == []
    assert conversations.handled == []


async def test_a_bot_still_in_a_group_leaves_at_its_first_message_there(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(6002))
    await chat.settle(group_message(fake, chat.resident, "/start@consultbot_test_bot"))
    assert fake.left == [GROUP["id"]]
    assert conversations.handled == []  # nothing of the group reaches the service
    # and the resident still answers in private
    replies = await chat.say("bonjour")
    assert any("Acceptez-vous" in m["text"] for m in replies)


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
