"""Residents who come back by an old link (a poster's, a bookmarked page's) to a
consultation not open: over Telegram's /start <id> (the fake Bot API) and the
REST channel's metadata, through the real service."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.channels.telegram.bot import running_bot
from tests.bot.channels.conftest import FAST, Chat, Recorder, telegram_settings
from tests.bot.channels.fake_bot_api import Resident
from tests.bot.channels.test_rest import http as http  # the server, on each database
from tests.bot.channels.test_rest import post as rest_post

NOT_OPEN = "La consultation demandée par ce lien n'est pas ouverte (ou ne l'est plus)."
WHERE_WE_WERE = "Nous en étions à cette question :"
SATISFACTION = "De 1 à 5, êtes-vous satisfait"


async def test_telegram_start_with_an_old_link_resumes_the_consultation(fake, open_service):
    conversations = Recorder(await open_service())
    async with running_bot(
        telegram_settings(fake), conversations, policy=FAST, poll_timeout=1
    ) as bot:
        chat = Chat(fake, bot, Resident(1101))
        await chat.say("bonjour")
        await chat.tap("Oui")
        await chat.tap("Bus")
        answered = await conversations.answers(1101)
        said = await chat.say("/start velo")
        assert [m["text"] for m in said[:2]] == [NOT_OPEN, WHERE_WE_WERE]
        assert said[2]["text"].startswith(SATISFACTION)
        assert "Acceptez-vous" not in " ".join(m["text"] for m in said)
        assert await conversations.answers(1101) == answered == {"mode": "bus"}
        await chat.tap("4")  # the conversation goes on where it was
        assert await conversations.answers(1101) == {"mode": "bus", "satisfaction": 4}


async def post(
    http: tuple[str, aiohttp.ClientSession], sender: str, text: str, consultation: str | None
) -> list[str]:
    """The texts the REST channel answers `text` with."""
    body: dict[str, Any] = {"sender": sender, "message": text}
    if consultation is not None:
        body["metadata"] = {"consultation": consultation}
    status, answered = await rest_post(http, body)
    assert status == 200
    return [item["text"] for item in answered]


async def test_rest_start_with_an_old_consultation_resumes_the_one_in_progress(http):
    for text in ("bonjour", "oui", "bus"):
        await post(http, "resident-1", text, None)
    said = await post(http, "resident-1", "/start", "velo")
    assert said[:2] == [NOT_OPEN, WHERE_WE_WERE]
    assert said[2].startswith(SATISFACTION)
    said = await post(http, "resident-1", "4", "velo")  # answered, not told again
    assert NOT_OPEN not in said
    assert not any(SATISFACTION in text for text in said)


async def test_a_rest_newcomer_with_an_old_consultation_gets_the_default_one_once_told(http):
    said = await post(http, "resident-2", "bonjour", "velo")
    assert said[0] == NOT_OPEN
    assert said[-1].endswith("Acceptez-vous ?")
    said = await post(http, "resident-2", "oui", "velo")
    assert NOT_OPEN not in said
    assert any("Comment vous déplacez-vous" in text for text in said)
