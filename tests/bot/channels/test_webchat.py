"""The web chat protocol over a real WebSocket on loopback."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text as sql

from bot.app import WEBCHAT
from bot.channel_contract import Conversations, InboundMessage
from bot.channels.webchat import FLOOD_CLOSE_AFTER, MAX_FRAME_BYTES, RATE_BURST, WebChat
from bot.channels.webchat_access import ParticipantTokens
from bot.channels.webchat_frames import Refusal, read_frame
from bot.keys import Keys
from flows.replies import Reply
from tests.serving import DEMO, running, settings_for


@pytest.fixture
async def chat(tmp_path: Path) -> AsyncIterator[Chat]:
    settings = settings_for(tmp_path, server={"allowed_origins": ["https://www.region.example"]})
    async with (
        running(settings) as (base, app),
        aiohttp.ClientSession() as session,
    ):
        yield Chat(base, session, app[WEBCHAT])


class Chat:
    """A resident's tab, speaking the protocol by hand."""

    def __init__(self, base: str, session: aiohttp.ClientSession, webchat: WebChat) -> None:
        self.base = base
        self.session = session
        self.webchat = webchat

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


async def test_a_first_oui_never_shown_the_consent_question_enrols_nobody(chat):
    tab = await chat.hello()
    assert "Acceptez-vous" in (await tab.say("oui"))[-1]["text"]
    assert "Comment vous déplacez-vous" in (await tab.say("oui"))[-1]["text"]


async def test_the_token_resumes_the_conversation_on_a_new_connection(chat):
    tab = await chat.hello()
    await tab.say("bonjour")
    await tab.say("oui")
    await tab.ws.close()
    again = await chat.hello(tab.token)
    assert again.token.split(".")[0] == tab.token.split(".")[0]  # the same participant
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


async def _sources(chat: Chat) -> list[str | None]:
    database = chat.webchat.conversations.database
    async with database.transaction() as s:
        return list((await s.scalars(sql("SELECT source FROM sessions ORDER BY id"))).all())


async def test_the_source_tag_of_the_page_is_kept_with_the_session(chat):
    tab = await chat.hello(consultation="mobilite", src="gare-tours")
    await tab.say("bonjour")
    await tab.say("oui")
    other = await chat.hello(consultation="mobilite", src="=cmd|' /C calc'!A0")  # ignored
    await other.say("bonjour")
    await other.say("oui")
    assert await _sources(chat) == ["gare-tours", None]


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


async def test_a_frame_of_an_unknown_type_is_told_every_type_there_is(chat):
    french = await chat.hello(lang="fr")
    english = await chat.hello(lang="en")
    for tab in (french, english):
        await tab.ws.send_str(json.dumps({"v": 1, "type": "bye"}))
    assert (await french.frame())["message"] == (
        "Le type doit être l'un de : hello, message, ping, seen."
    )
    assert (await english.frame())["message"] == (
        "The type must be one of: hello, message, ping, seen."
    )


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
    chat.webchat.clock = lambda: 0.0  # no time passes: no allowance is earned meanwhile
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
    refused = [int(f["id"][1:]) for f in seen if f["type"] == "error"]
    assert {f["code"] for f in seen if f["type"] == "error"} == {"rate_limited"}
    # The burst allowance is spent on the first RATE_BURST messages; every later
    # one is refused, each with its own error frame, and the FLOOD_CLOSE_AFTER-th
    # refusal in a row (told like the others) closes the socket.
    last = refused[-1]
    accepted = set(range(last + 1)) - set(refused)
    assert max(accepted) < RATE_BURST <= min(set(range(RATE_BURST, last + 1)) & set(refused))
    in_a_row = [n for n in refused if n > max(accepted)]
    assert in_a_row == list(range(max(accepted) + 1, last + 1))
    assert len(in_a_row) == FLOOD_CLOSE_AFTER
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
    async with running(settings) as (base, app), aiohttp.ClientSession() as session:
        tab = await Chat(base, session, app[WEBCHAT]).hello()
        await tab.ws.send_json({"v": 1, "type": "message", "id": "m1", "text": "bonjour"})
        error = await tab.frame()
        if error["type"] == "ack":
            error = await tab.frame()
        assert (error["code"], error["id"]) == ("unavailable", "m1")


class Held:
    """The real service, its replies held until the test releases them."""

    def __init__(self, service: Conversations) -> None:
        self.service = service
        self.release = asyncio.Event()

    async def handle(self, message: InboundMessage) -> Sequence[Reply]:
        await self.release.wait()
        return await self.service.handle(message)


@pytest.fixture
async def slow(tmp_path: Path) -> AsyncIterator[tuple[Chat, list[Held]]]:
    """A chat whose replies wait for `held[0].release`."""
    held: list[Held] = []

    def wrap(service: Conversations) -> Held:
        held.append(Held(service))
        return held[0]

    async with (
        running(settings_for(tmp_path), wrap) as (base, app),
        aiohttp.ClientSession() as session,
    ):
        yield Chat(base, session, app[WEBCHAT]), held


async def test_a_reply_that_takes_a_while_is_acknowledged_first(slow):
    chat, held = slow
    tab = await chat.hello()
    await tab.ws.send_json({"v": 1, "type": "message", "id": "slow", "text": "bonjour"})
    assert await tab.frame() == {"v": 1, "type": "ack", "id": "slow"}
    held[0].release.set()
    reply = await tab.frame()
    assert (reply["type"], reply["id"]) == ("reply", "slow")


async def test_a_ping_is_answered_at_once_while_a_reply_is_being_made(slow):
    """A tab waiting for a slow reply checks that its connection still carries
    frames: the pong does not wait for the reply."""
    chat, held = slow
    tab = await chat.hello()
    await tab.ws.send_json({"v": 1, "type": "message", "id": "slow", "text": "bonjour"})
    assert await tab.frame() == {"v": 1, "type": "ack", "id": "slow"}
    for _ in range(3):
        await tab.ws.send_json({"v": 1, "type": "ping"})
        assert await tab.frame() == {"v": 1, "type": "pong"}
    held[0].release.set()
    reply = await tab.frame()
    assert (reply["type"], reply["id"]) == ("reply", "slow")
    assert reply["messages"][0]["text"].startswith("Bonjour")


async def test_a_token_that_is_not_ascii_gets_a_fresh_participant(chat):
    tab = await chat.hello("abc.é")
    assert tab.token != "abc.é"
    assert (await tab.say("bonjour"))[0]["text"].startswith("Bonjour")


async def test_a_deeply_nested_frame_is_refused_and_its_text_never_logged(chat, caplog):
    tab = await chat.hello()
    secret = "mes mots a moi"
    for nested in ("[" * 5000, '{"v":1,"type":"message","id":"n1","text":' + "[" * 5000):
        await tab.ws.send_str(nested + json.dumps(secret))
        error = await tab.frame()
        assert (error["type"], error["code"]) == ("error", "bad_json")
    assert (await tab.say("bonjour"))[0]["text"].startswith("Bonjour")
    assert secret not in caplog.text
    assert "Traceback" not in caplog.text
    assert "RecursionError" not in caplog.text


async def test_a_flood_of_garbage_frames_is_refused_then_closed(chat):
    chat.webchat.clock = lambda: 0.0  # no time passes: no allowance is earned meanwhile
    flood = await chat.hello()
    for n in range(1000):
        if flood.ws.closed:
            break
        await (flood.ws.send_str(f"garbage {n}") if n % 2 else flood.ws.send_bytes(b"\x00"))
    codes: list[str] = []
    while True:
        frame = await flood.ws.receive(timeout=10)
        if frame.type is not aiohttp.WSMsgType.TEXT:
            break
        codes.append(json.loads(frame.data)["code"])
    assert flood.ws.close_code == aiohttp.WSCloseCode.POLICY_VIOLATION
    # Each frame of the burst allowance is told what is wrong with it; then each
    # is refused, and the FLOOD_CLOSE_AFTER-th refusal closes the socket.
    assert "rate_limited" not in codes[:RATE_BURST]
    assert codes[RATE_BURST:] == ["rate_limited"] * FLOOD_CLOSE_AFTER


@pytest.mark.parametrize("version", [True, 1.0, "1"])
async def test_only_the_integer_1_is_protocol_version_1(chat, version):
    tab = await chat.hello()
    await tab.ws.send_json({"v": version, "type": "message", "id": "a", "text": "bonjour"})
    assert (await tab.frame())["code"] == "unsupported_version"
    ws = await chat.connect()
    await ws.send_json({"v": version, "type": "hello", "token": None})
    assert (await ws.receive_json())["code"] == "unsupported_version"
    assert (await ws.receive()).type is aiohttp.WSMsgType.CLOSE


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://www.region.example"},  # the allowed host, another scheme
        {"Origin": "https://www.region.example:8443"},  # another port
        {"Origin": "http://evil.example", "Host": "evil.example"},  # a rebinding page
        {"Origin": "https://evil.example", "Host": "evil.example"},
    ],
)
async def test_the_origin_check_compares_schemes_and_ignores_the_host_header(chat, headers):
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await chat.connect(**headers)
    assert refused.value.status == 403


async def test_the_servers_own_pages_may_connect_by_the_name_localhost(chat):
    port = chat.base.rsplit(":", 1)[1]
    ws = await chat.connect(Origin=f"http://localhost:{port}")
    await ws.send_json({"v": 1, "type": "hello", "token": None})
    assert (await ws.receive_json())["type"] == "welcome"


async def test_each_welcome_renews_the_token_for_the_same_participant(chat):
    tab = await chat.hello()
    await tab.say("bonjour")
    await tab.say("oui")
    again = await chat.hello(tab.token)
    assert again.token.split(".")[0] == tab.token.split(".")[0]
    assert "1 à 5" in (await again.say("train"))[-1]["text"]


async def test_an_expired_token_gets_a_fresh_participant(chat):
    key = Keys.from_settings(settings_for(Path(".")))
    week_and_a_day_ago = time.time() - 8 * 86400
    old = ParticipantTokens(key, clock=lambda: week_and_a_day_ago).issue()
    tab = await chat.hello(old)
    assert tab.token.split(".")[0] != old.split(".")[0]
    fresh = ParticipantTokens(key).issue(old.split(".")[0])
    assert (await chat.hello(fresh)).token.split(".")[0] == old.split(".")[0]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
_FRAME_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "v": _JSON | st.just(1),
        "type": _JSON | st.sampled_from(["hello", "message"]),
        "id": _JSON | st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True),
        "text": _JSON,
        "token": _JSON,
    },
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=200),
        _JSON.map(json.dumps),
        _FRAME_FIELDS.map(json.dumps),
        st.integers(1, 20_000).map(lambda depth: "[" * depth + "]" * depth),
        st.integers(1, 20_000).map(lambda depth: '{"a":' * depth + "1" + "}" * depth),
    )
)
def test_any_text_is_a_frame_or_a_refusal(raw):
    frame = read_frame(raw)
    if isinstance(frame, Refusal):
        assert frame.code in {"bad_json", "unsupported_version", "unknown_type", "too_long"} | {
            "bad_message"
        }
        message = frame.message("en")
        assert message
        assert raw[:40] not in message or len(raw) < 3


LYCEES_TO_BUILDINGS = ("bonjour", "oui", "Autre habitant", "passer", "xqzw", "xqzw", "xqzw")


async def test_an_old_button_does_not_answer_the_question_asked_now(chat):
    tab = await chat.hello(consultation="lycees", lang="fr")
    for text in LYCEES_TO_BUILDINGS:
        await tab.say(text)
    priorities = (await tab.say("2"))[-1]
    payloads = [b["payload"] for b in priorities["buttons"]]
    local_food = (await tab.say(payloads[1]))[-1]  # "Cantine locale et bio"
    assert "La cantine devrait-elle servir" in local_food["text"]
    old_yes = local_food["buttons"][0]["payload"]
    assert "réunion publique" in (await tab.say("non"))[-1]["text"]
    stale = await tab.say(old_yes)
    assert [m["text"] for m in stale] == ["Vous avez déjà répondu à cette question."]
    stale = await tab.say(", ".join(payloads[:2]))  # an old multiple choice, as the widget joins
    assert [m["text"] for m in stale] == ["Vous avez déjà répondu à cette question."]
    # Nothing was stored: "non" still answers the meeting (no date asked).
    assert "Une autre idée" in (await tab.say("non"))[-1]["text"]


async def test_a_multiple_choice_says_in_its_frame_how_many_boxes_it_takes(chat):
    tab = await chat.hello(consultation="lycees", lang="fr")
    for text in LYCEES_TO_BUILDINGS:
        building = await tab.say(text)
    # Other messages are as a client of protocol v1 before them knows them.
    assert set(building[-1]) == {"text", "buttons", "multi_select"}
    priorities = (await tab.say("2"))[-1]  # "vos deux priorités", 1 to 2 boxes
    assert priorities["multi_select"]
    assert (priorities["min_selections"], priorities["max_selections"]) == (1, 2)
