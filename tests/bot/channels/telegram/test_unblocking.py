"""A resident who blocked the bot and unblocks it (a my_chat_member update back
to "member") is reachable again at once, and the team's messages that waited
for them arrive without their having to write."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.channels.telegram.direct import TelegramDirect
from bot.conversation import ConversationService
from bot.team_messages import Outcome, TeamMessages
from storage import sessions, team_messages
from storage.models import TeamMessageState
from tests.bot.channels.conftest import Chat, Recorder, telegram_settings
from tests.bot.channels.fake_bot_api import FakeBotApi, Resident

TEAM_REPLY = "Bonjour, l'arrêt de Saint-Jean sera revu en mars."


class Unblockable(Recorder):
    """The real service, offering the channel what it needs on unblocking too."""

    async def mark_reachable(self, *arguments: Any) -> None:
        await self.service.mark_reachable(*arguments)


@pytest.fixture
def conversations(service: ConversationService) -> Unblockable:  # the running bot's
    return Unblockable(service)


@pytest.fixture
async def team(fake: FakeBotApi, service: ConversationService) -> AsyncIterator[TeamMessages]:
    """The team's side, writing to Telegram residents through the fake Bot API."""
    messages = TeamMessages(service.database, telegram=TelegramDirect(telegram_settings(fake)))
    yield messages
    await messages.close()


def membership(resident: Resident, old: str, new: str) -> dict[str, Any]:
    """The resident changed the bot's membership of their private chat."""
    bot_user = {"id": 123456789, "is_bot": True, "first_name": "Consultation"}
    return {
        "my_chat_member": {
            "chat": resident.as_chat(),
            "from": resident.as_user(),
            "date": int(time.time()),
            "old_chat_member": {"status": old, "user": bot_user, "until_date": 0},
            "new_chat_member": {"status": new, "user": bot_user},
        }
    }


async def blocked_while_the_team_replies(
    chat: Chat, conversations: Recorder, team: TeamMessages
) -> None:
    """The resident asks for a person, blocks the bot, and the team replies."""
    await chat.say("bonjour")
    await chat.tap("Oui")
    await chat.say("humain")
    await chat.settle(chat.fake.user_blocks(chat.resident))
    session_id = await session_of(conversations, chat.resident)
    now = dt.datetime.now(dt.UTC)
    assert await team.reply(session_id, TEAM_REPLY, "moderator-7", now) is Outcome.UNREACHABLE


async def session_of(conversations: Recorder, resident: Resident) -> int:
    found = await conversations.participant(resident.id)
    async with conversations.service.database.transaction() as s:
        latest = await sessions.latest(s, found.id)
    assert latest is not None
    return latest.id


async def states(conversations: Recorder, resident: Resident) -> list[TeamMessageState]:
    session_id = await session_of(conversations, resident)
    async with conversations.service.database.transaction() as s:
        return [m.state for m in await team_messages.for_session(s, session_id)]


async def test_unblocking_the_bot_brings_the_team_s_waiting_reply(fake, bot, conversations, team):
    chat = Chat(fake, bot, Resident(7101))
    await blocked_while_the_team_replies(chat, conversations, team)
    fake.blocked.discard(chat.resident.id)
    arrived = await chat.settle(fake.push(membership(chat.resident, "kicked", "member")))
    assert [m["text"] for m in arrived] == [
        f"Message de l'équipe de la consultation :\n{TEAM_REPLY}"
    ]
    assert (await conversations.participant(7101)).reachable is True
    assert await states(conversations, chat.resident) == [TeamMessageState.DELIVERED]
    # and their next message does not bring it a second time
    assert not any(TEAM_REPLY in m["text"] for m in await chat.say("train"))


async def test_a_reply_telegram_refuses_on_unblocking_waits_for_the_next_message(
    fake, bot, conversations, team
):
    chat = Chat(fake, bot, Resident(7102))
    await blocked_while_the_team_replies(chat, conversations, team)
    fake.blocked.discard(chat.resident.id)
    fake.fail_next(5, 502, methods=frozenset({"sendMessage"}))  # every retry of it
    await chat.settle(fake.push(membership(chat.resident, "kicked", "member")))
    assert await states(conversations, chat.resident) == [TeamMessageState.QUEUED]
    replies = await chat.say("train")
    assert replies[0]["text"].endswith(TEAM_REPLY)
