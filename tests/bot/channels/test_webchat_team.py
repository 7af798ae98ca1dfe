"""Messages from the consultation team reaching web chat and REST residents:
the real server on loopback, real WebSockets, both databases; on PostgreSQL a
reply sent by another process (`consultbot human reply`) reaches the chat."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import aiohttp
import pytest
from aiohttp import web

from bot.app import DATABASE, TEAM_MESSAGES, WEBCHAT
from bot.team_messages import Outcome
from storage import team_messages
from storage.database import Database
from storage.models import TeamMessageState
from tests.bot.channels.test_webchat import Chat, Tab
from tests.bot.cli.running import consultbot
from tests.bot.test_round_trips import count_queries, logged
from tests.serving import SECRET, running, settings_for

FR_HEADER = "Message de l'équipe de la consultation :"


@dataclass
class Server:
    chat: Chat
    app: web.Application
    base: str

    async def resident_asking_for_a_person(self, **hello: object) -> tuple[Tab, int]:
        tab = await self.chat.hello(**hello)
        for text in ("bonjour", "oui", "humain"):
            said = await tab.say(text)
        assert "un membre de l'équipe" in said[0]["text"]
        [waiting] = await self.app[TEAM_MESSAGES].inbox()
        return tab, waiting.session_id

    async def reply(self, session_id: int, text: str) -> Outcome:
        now = dt.datetime.now(dt.UTC)
        return await self.app[TEAM_MESSAGES].reply(session_id, text, "moderator-7", now)


@pytest.fixture
async def server(database_url: str) -> AsyncIterator[Server]:
    settings = settings_for(database_url)
    async with running(settings) as (base, app), aiohttp.ClientSession() as session:
        yield Server(Chat(base, session, app[WEBCHAT]), app, base)


async def _states(database_url: str, session_id: int) -> list[TeamMessageState]:
    """The team messages' delivery states, read by a connection of the test's own."""
    database = await Database.connect(database_url)
    try:
        async with database.transaction() as s:
            return [m.state for m in await team_messages.for_session(s, session_id)]
    finally:
        await database.close()


async def test_an_open_chat_sees_the_reply_arrive(server: Server):
    tab, session_id = await server.resident_asking_for_a_person()

    assert await server.reply(session_id, "Bonjour, ici l'équipe.") is Outcome.DELIVERED

    frame = await tab.frame()
    assert (frame["type"], frame["text"]) == ("team", "Bonjour, ici l'équipe.")
    assert frame["id"].startswith("team-")
    # The questionnaire goes on where it was.
    assert "1 à 5" in (await tab.say("train"))[-1]["text"]


async def test_a_closed_chat_sees_the_reply_when_it_opens_again(server: Server):
    tab, session_id = await server.resident_asking_for_a_person()
    await tab.ws.close()

    assert await server.reply(session_id, "Nous avons bien lu.") is Outcome.QUEUED

    again = await server.chat.hello(tab.token)
    frame = await again.frame()
    assert (frame["type"], frame["text"]) == ("team", "Nous avons bien lu.")
    another = await server.chat.hello(tab.token)  # shown once
    assert "1 à 5" in (await another.say("train"))[-1]["text"]


async def test_a_team_message_no_tab_says_it_has_comes_again_at_the_next_welcome(
    server: Server, database_url: str
):
    """A frame written to a connection that died unnoticed (a phone leaving
    Wi-Fi) shows nothing: the message is given back unless the tab says it has it."""
    server.app[WEBCHAT].push.seen_within = 0.2
    tab, session_id = await server.resident_asking_for_a_person(seen=True)
    # Taken by the socket, the phone never shows it: the reply waits for that.
    assert await server.reply(session_id, "Vous nous lisez ?") is Outcome.QUEUED
    lost = await tab.frame()
    assert lost["type"] == "team"
    assert await _states(database_url, session_id) == [TeamMessageState.QUEUED]

    again = await server.chat.hello(tab.token, seen=True)  # the phone reconnects
    frame = await again.frame()
    assert (frame["type"], frame["id"], frame["text"]) == ("team", lost["id"], "Vous nous lisez ?")
    await again.ws.send_json({"v": 1, "type": "seen", "id": frame["id"]})
    await again.ws.send_json({"v": 1, "type": "ping"})
    assert await again.frame() == {"v": 1, "type": "pong"}  # the seen frame was read
    # A second message, never said seen, is given back; the first, seen, stays delivered.
    assert await server.reply(session_id, "Toujours là ?") is Outcome.QUEUED
    assert (await again.frame())["text"] == "Toujours là ?"
    assert await _states(database_url, session_id) == [
        TeamMessageState.DELIVERED,
        TeamMessageState.QUEUED,
    ]


async def test_a_client_that_never_says_seen_gets_a_team_message_once(
    server: Server, database_url: str
):
    """A client of the protocol from before `seen` (its hello says nothing of
    it) is trusted as it was: the message is not given back to reach it twice."""
    server.app[WEBCHAT].push.seen_within = 0.2
    tab, session_id = await server.resident_asking_for_a_person()
    assert await server.reply(session_id, "Premier message") is Outcome.DELIVERED
    assert (await tab.frame())["text"] == "Premier message"
    await tab.ws.close()
    # A tab that says it confirms, and does not: its message is given back after
    # seen_within, where the first one was not.
    confirming = await server.chat.hello(tab.token, seen=True)
    assert await server.reply(session_id, "Second message") is Outcome.QUEUED
    assert (await confirming.frame())["text"] == "Second message"
    assert await _states(database_url, session_id) == [
        TeamMessageState.DELIVERED,
        TeamMessageState.QUEUED,
    ]


async def test_a_rest_resident_gets_the_reply_with_their_next_message(server: Server):
    async with aiohttp.ClientSession() as http:

        async def say(text: str) -> list[dict[str, str]]:
            url = server.base + "/webhooks/rest/webhook"
            async with http.post(url, json={"sender": "alice", "message": text}) as response:
                assert response.status == 200
                return list(await response.json())

        for text in ("bonjour", "oui", "humain"):
            await say(text)
        [waiting] = await server.app[TEAM_MESSAGES].inbox()
        assert await server.reply(waiting.session_id, "Réponse de l'équipe") is Outcome.QUEUED
        replies = await say("train")
    assert replies[0]["text"] == f"{FR_HEADER}\nRéponse de l'équipe"
    assert "1 à 5" in replies[-1]["text"]


@pytest.mark.postgres
async def test_a_reply_from_another_process_reaches_the_open_chat(
    server: Server, database_url: str, tmp_path: Path
):
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes share a PostgreSQL database only")
    tab, session_id = await server.resident_asking_for_a_person()

    outcome = await consultbot(
        "human",
        "reply",
        str(session_id),
        "Réponse envoyée par un autre processus",
        "--by",
        "moderator-9",
        cwd=tmp_path,
        database_url=database_url,
        CONSULTBOT_SECRET_KEY=SECRET,
    )

    assert outcome.code == 0, outcome.err
    frame = await tab.frame()
    assert (frame["type"], frame["text"]) == ("team", "Réponse envoyée par un autre processus")
    assert await _states(database_url, session_id) == [TeamMessageState.DELIVERED]


@pytest.mark.postgres
async def test_a_reply_through_one_server_reaches_the_chat_open_on_another(
    server: Server, database_url: str
):
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes share a PostgreSQL database only")
    tab, session_id = await server.resident_asking_for_a_person()
    other = settings_for(database_url)

    async with running(other) as (_, app_a):
        now = dt.datetime.now(dt.UTC)
        await app_a[TEAM_MESSAGES].reply(session_id, "Depuis le serveur A", "moderator-7", now)

    frame = await tab.frame()
    assert (frame["type"], frame["text"]) == ("team", "Depuis le serveur A")
    assert await _states(database_url, session_id) == [TeamMessageState.DELIVERED]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_new_chat_looks_nothing_up_and_a_returning_one_does(server: Server):
    """A chat opened without a token gets an id no one has written to: no
    transaction to look for team messages waiting (one for every chat opened,
    over the WebSocket about a tenth of the server's work a message)."""
    first = await server.chat.hello()  # the consultation's title read and cached
    counter = count_queries(SimpleNamespace(database=server.app[DATABASE]))

    async def opened(token: str | None) -> int:
        before = len(counter.queries)
        tab = await server.chat.hello(token)
        await tab.ws.send_str("{")  # answered once the chat has joined the team's pushes
        assert (await tab.frame())["code"] == "bad_json"
        await logged()
        return len(counter.queries) - before

    assert await opened(None) == 0
    assert await opened(first.token) > 0  # its messages waiting, looked for
