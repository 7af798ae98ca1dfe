"""The web chat protocol over a real WebSocket on loopback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.channels.webchat import FLOOD_CLOSE_AFTER, MAX_FRAME_BYTES, ParticipantTokens
from bot.inbound import Conversations, InboundMessage
from bot.keys import Keys
from flows.replies import Reply
from tests.bot.web.serving import DEMO, running, settings_for


@pytest.fixture
async def chat(tmp_path: Path) -> AsyncIterator[Chat]:
    settings = settings_for(tmp_path, server={"allowed_origins": ["https://www.region.example"]})
    async with (
        running(settings) as (base, _app),
        aiohttp.ClientSession() as session,
    ):
        yield Chat(base, session)


class Chat:
    """A resident's tab, speaking the protocol by hand."""

    def __init__(self, base: str, session: aiohttp.ClientSession) -> None:
        self.base = base
        self.session = session

    async def connect(self, **headers: str) -> aiohttp.ClientWebSocketResponse:
        return await self.session.ws_connect(self.base + "/ws", headers=headers)

    async def hello(self, token: str | None = None, **fields: Any) -> Tab:
        ws = await self.connect()
        await ws.send_json({"v": 1, "type": "hello", "token": token, **fields})
        welcome = await ws.receive_json()
        assert welcome["type"] == "welcome"
        return Tab(ws, welcome["token"], welcome["title"])


class Tab:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse, token: str, title: str | None) -> None:
        self.ws = ws
        self.token = token
        self.title = title
        self.count = 0

    async def say(self, text: str, message_id: str | None = None) -> list[dict[str, Any]]:
        """Send a message; its reply's messages (an ack may come first when the
        reply takes a while)."""
        self.count += 1
        message_id = message_id or f"m{self.count}"
        await self.ws.send_json({"v": 1, "type": "message", "id": message_id, "text": text})
        reply = await self.ws.receive_json()
        if reply["type"] == "ack":
            assert reply == {"v": 1, "type": "ack", "id": message_id}
            reply = await self.ws.receive_json()
        assert (reply["type"], reply["id"]) == ("reply", message_id)
        return reply["messages"]

    async def frame(self) -> dict[str, Any]:
        return await self.ws.receive_json(timeout=5)


async def test_a_resident_completes_the_demo_consultation(chat):
    tab = await chat.hello()
    replies = [await tab.say(text) for text in DEMO]
    consent = replies[0][-1]
    assert [b["title"] for b in consent["buttons"]] == ["Oui", "Non"]
    assert [b["title"] for b in replies[1][-1]["buttons"]][:2] == ["Voiture", "Train"]
    assert replies[-1][-1]["text"].startswith("Merci")
    assert replies[-1][-1]["buttons"] == []


async def test_a_tapped_button_sends_its_payload(chat):
    tab = await chat.hello()
    consent = (await tab.say("bonjour"))[-1]
    yes = consent["buttons"][0]["payload"]
    question = (await tab.say(yes))[-1]
    assert question["text"] == "Comment vous déplacez-vous le plus souvent ?"


async def test_the_token_resumes_the_conversation_on_a_new_connection(chat):
    tab = await chat.hello()
    await tab.say("bonjour")
    await tab.say("oui")
    await tab.ws.close()
    again = await chat.hello(tab.token)
    assert again.token == tab.token
    assert "1 à 5" in (await again.say("train", "after-reload"))[-1]["text"]


async def test_a_forged_or_foreign_token_gets_a_fresh_participant(chat):
    tab = await chat.hello()
    await tab.say("bonjour")
    forged = tab.token.split(".")[0] + ".AAAAAAAAAAAAAAAAAAAAAA"
    foreign = ParticipantTokens(Keys(b"another key, another server")).issue()
    for token in (forged, foreign, "nonsense"):
        other = await chat.hello(token)
        assert other.token != token
        assert (await other.say("bonjour"))[0]["text"].startswith("Bonjour")


async def test_a_message_sent_again_after_a_reconnect_is_handled_once(chat):
    tab = await chat.hello()
    await tab.say("bonjour")
    first = await tab.say("oui", "same-id")
    await tab.ws.close()
    again = await chat.hello(tab.token)
    assert await again.say("oui", "same-id") == first
    # The conversation moved on by one question only.
    assert "1 à 5" in (await again.say("train"))[-1]["text"]


async def test_language_comes_from_the_hello(chat):
    tab = await chat.hello(lang="en", consultation="mobilite")
    assert tab.title == "Mobility in Centre-Val de Loire"
    assert (await tab.say("hello"))[0]["text"].startswith("Hello")


async def test_the_welcome_names_the_consultation(chat):
    assert (await chat.hello()).title == "Mobilité en Centre-Val de Loire"
    assert (await chat.hello(consultation="lycees", lang="fr")).title is not None
    assert (await chat.hello(consultation="no-such-thing")).title is None


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "bad_json"),
        ("[1]", "bad_json"),
        (json.dumps({"v": 1, "type": "shout", "text": "x"}), "unknown_type"),
        (json.dumps({"v": 9, "type": "message", "id": "a", "text": "x"}), "unsupported_version"),
        (json.dumps({"v": 1, "type": "message", "id": "", "text": "x"}), "bad_message"),
        (json.dumps({"v": 1, "type": "message", "id": "a b", "text": "x"}), "bad_message"),
        (json.dumps({"v": 1, "type": "message", "id": "a", "text": 3}), "bad_message"),
        (json.dumps({"v": 1, "type": "message", "id": "a", "text": "x" * 4001}), "too_long"),
        (json.dumps({"v": 1, "type": "hello", "token": None}), "bad_message"),
    ],
)
async def test_a_bad_frame_gets_an_error_and_the_connection_goes_on(chat, frame, code):
    tab = await chat.hello()
    await tab.ws.send_str(frame)
    error = await tab.frame()
    assert (error["type"], error["code"]) == ("error", code)
    assert error["message"]
    assert (await tab.say("bonjour"))[0]["text"].startswith("Bonjour")


async def test_protocol_errors_speak_the_hello_s_language(chat):
    french = await chat.hello(lang="fr")
    english = await chat.hello(lang="en")
    too_long = json.dumps({"v": 1, "type": "message", "id": "a", "text": "x" * 4001})
    for tab in (french, english):
        await tab.ws.send_str(too_long)
    assert (await french.frame())["message"] == "Un message compte au plus 4000 caractères."
    assert (await english.frame())["message"] == "A message holds at most 4000 characters."


async def test_a_hello_in_a_language_the_catalogue_lacks_is_refused_in_the_default_one(chat):
    ws = await chat.connect()
    await ws.send_json({"v": 1, "type": "hello", "lang": "xx"})
    error = await ws.receive_json(timeout=5)
    assert (error["code"], error["message"]) == (
        "bad_message",
        "lang : Value error, one of en, fr.",
    )


async def test_a_binary_frame_gets_an_error(chat):
    tab = await chat.hello()
    await tab.ws.send_bytes(b"\x00\x01")
    assert (await tab.frame())["code"] == "bad_frame"


async def test_a_refused_message_names_its_id_so_the_client_drops_it(chat):
    tab = await chat.hello()
    await tab.ws.send_json({"v": 1, "type": "message", "id": "big", "text": "x" * 5000})
    assert (await tab.frame())["id"] == "big"


async def test_a_one_megabyte_frame_closes_the_connection(chat):
    tab = await chat.hello()
    await tab.ws.send_str("x" * (1024 * 1024))
    closing = await tab.ws.receive(timeout=5)
    assert closing.type is aiohttp.WSMsgType.CLOSE
    assert tab.ws.close_code == aiohttp.WSCloseCode.MESSAGE_TOO_BIG
    assert MAX_FRAME_BYTES < 1024 * 1024


async def test_a_flood_is_refused_then_closed_and_others_are_unaffected(chat):
    calm = await chat.hello()
    flood = await chat.hello()
    for n in range(1000):
        frame = {"v": 1, "type": "message", "id": f"f{n}", "text": "bonjour"}
        if flood.ws.closed:
            break
        await flood.ws.send_json(frame)
    seen: list[dict[str, Any]] = []
    while True:
        frame = await flood.ws.receive(timeout=10)
        if frame.type is not aiohttp.WSMsgType.TEXT:
            break
        seen.append(json.loads(frame.data))
    assert flood.ws.close_code == aiohttp.WSCloseCode.POLICY_VIOLATION
    refused = [f for f in seen if f["type"] == "error"]
    assert {f["code"] for f in refused} == {"rate_limited"}
    # Each refusal names its message; the socket was closed long before the
    # 1000th (FLOOD_CLOSE_AFTER refusals in a row; an allowance earned meanwhile
    # lets one message through and starts the count again).
    assert FLOOD_CLOSE_AFTER <= len(refused) < 500
    assert (await calm.say("bonjour"))[0]["text"].startswith("Bonjour")


async def test_the_first_frame_must_be_a_hello(chat):
    ws = await chat.connect()
    await ws.send_json({"v": 1, "type": "message", "id": "a", "text": "bonjour"})
    error = await ws.receive_json()
    assert error["code"] == "bad_hello"
    assert (await ws.receive()).type is aiohttp.WSMsgType.CLOSE
    assert ws.close_code == aiohttp.WSCloseCode.PROTOCOL_ERROR


@pytest.mark.parametrize(
    "hello",
    [
        {"v": 1, "type": "hello", "lang": "de"},
        {"v": 1, "type": "hello", "consultation": "../etc"},
        {"v": 1, "type": "hello", "token": 42},
        {"v": 1, "type": "hello", "surprise": True},
    ],
)
async def test_a_bad_hello_is_refused(chat, hello):
    ws = await chat.connect()
    await ws.send_json(hello)
    assert (await ws.receive_json())["type"] == "error"
    assert (await ws.receive()).type is aiohttp.WSMsgType.CLOSE


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://www.region.example", True),
        ("https://www.region.example/", True),
        ("https://evil.example", False),
        ("null", False),
    ],
)
async def test_the_origin_is_checked(chat, origin, allowed):
    if allowed:
        ws = await chat.connect(Origin=origin)
        await ws.close()
        return
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await chat.connect(Origin=origin)
    assert refused.value.status == 403


async def test_the_servers_own_pages_may_connect(chat):
    ws = await chat.connect(Origin=chat.base)
    await ws.send_json({"v": 1, "type": "hello", "token": None})
    assert (await ws.receive_json())["type"] == "welcome"


async def test_a_refused_origin_gets_a_json_reason(chat):
    async with chat.session.get(
        chat.base + "/ws",
        headers={
            "Origin": "https://evil.example",
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
    ) as response:
        assert response.status == 403
        assert (await response.json())["error"] == "origin_not_allowed"


async def test_many_residents_at_once_each_get_their_own_replies(chat):
    tabs = [await chat.hello() for _ in range(20)]
    results = await asyncio.gather(*(run_demo(tab) for tab in tabs))
    assert all(last.startswith("Merci") for last in results)


async def run_demo(tab: Tab) -> str:
    last = ""
    for text in DEMO:
        last = (await tab.say(text))[-1]["text"]
    return last


async def test_a_message_the_server_cannot_answer_stays_with_the_client(tmp_path):
    settings = settings_for(tmp_path, default_consultation="not_deployed")
    async with running(settings) as (base, _app), aiohttp.ClientSession() as session:
        tab = await Chat(base, session).hello()
        await tab.ws.send_json({"v": 1, "type": "message", "id": "m1", "text": "bonjour"})
        error = await tab.frame()
        if error["type"] == "ack":
            error = await tab.frame()
        assert (error["code"], error["id"]) == ("unavailable", "m1")


async def test_a_reply_that_takes_a_while_is_acknowledged_first(tmp_path):
    class Held:
        """The real service, held until the test has seen the ack."""

        def __init__(self, service: Conversations) -> None:
            self.service = service
            self.release = asyncio.Event()

        async def handle(self, message: InboundMessage) -> Sequence[Reply]:
            await self.release.wait()
            return await self.service.handle(message)

    held: list[Held] = []

    def wrap(service: Conversations) -> Held:
        held.append(Held(service))
        return held[0]

    async with (
        running(settings_for(tmp_path), wrap) as (base, _app),
        aiohttp.ClientSession() as session,
    ):
        tab = await Chat(base, session).hello()
        await tab.ws.send_json({"v": 1, "type": "message", "id": "slow", "text": "bonjour"})
        assert await tab.frame() == {"v": 1, "type": "ack", "id": "slow"}
        held[0].release.set()
        reply = await tab.frame()
        assert (reply["type"], reply["id"]) == ("reply", "slow")
