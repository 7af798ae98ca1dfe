"""Webhook mode: the fake Bot API POSTs updates to our aiohttp route, as Telegram
does, after `set_webhook`; the route checks the secret and processes each update
before answering 2xx."""

from __future__ import annotations

import asyncio
import io
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from bot.channels.telegram.bot import TelegramBot, set_webhook
from bot.channels.telegram.webhook import (
    SECRET_HEADER,
    TELEGRAM_BOT,
    add_telegram_routes,
    telegram_app_context,
)
from bot.config import Settings
from tests.bot.channels.conftest import FAST, WEBHOOK_SECRET, Chat, Recorder, telegram_settings
from tests.bot.channels.fake_bot_api import FakeBotApi, Resident
from tests.serving import start_service

PROPOSAL = "Plus de trains le soir entre Orléans et Tours"


@dataclass
class Server:
    url: str  # the webhook URL
    bot: TelegramBot
    settings: Settings


async def start_server(
    fake: FakeBotApi, conversations: Recorder, port: int = 0
) -> tuple[web.AppRunner, Server]:
    """`consultbot serve`'s Telegram part: the cleanup_ctx and the route."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/telegram/webhook"
    settings = telegram_settings(fake, webhook_url=url, webhook_secret=WEBHOOK_SECRET)
    app = web.Application()
    app.cleanup_ctx.append(telegram_app_context(settings, lambda app: conversations, policy=FAST))
    add_telegram_routes(app, settings)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return runner, Server(url, app[TELEGRAM_BOT], settings)


@pytest.fixture
async def server(fake: FakeBotApi, conversations) -> AsyncIterator[Server]:
    runner, running = await start_server(fake, conversations)
    await set_webhook(running.settings)
    yield running
    await runner.cleanup()


async def post(url: str, body: bytes, secret: str | None = WEBHOOK_SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, data=io.BytesIO(body), headers=headers) as r,
    ):
        await r.read()
        return r.status


def update_for(resident: Resident, text: str, update_id: int = 777) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 5,
            "date": 1_780_000_000,
            "chat": resident.as_chat(),
            "from": resident.as_user(),
            "text": text,
        },
    }


async def test_set_webhook_registers_url_secret_and_update_types(fake, server):
    assert fake.webhook["url"] == server.url
    assert fake.webhook["secret_token"] == WEBHOOK_SECRET
    assert set(fake.webhook["allowed_updates"]) == {
        "message",
        "edited_message",
        "callback_query",
        "my_chat_member",
    }


async def test_a_resident_completes_the_demo_by_typing(fake, server, conversations):
    chat = Chat(fake, server.bot, Resident(3001))
    await chat.say("bonjour")
    for text in ["oui", "train", "4", "45000"]:
        await chat.say(text)
    last = await chat.say(PROPOSAL)
    assert last[-1]["text"].startswith("Merci")
    assert (await conversations.answers(3001))["postal_code"] == "45000"
    assert set(fake.webhook_responses) == {200}


async def test_a_resident_completes_the_demo_by_buttons(fake, server, conversations):
    chat = Chat(fake, server.bot, Resident(3002))
    await chat.say("/start mobilite")
    await chat.tap("Oui")
    await chat.tap("Train")
    await chat.tap("4")
    await chat.say("45000")
    last = await chat.say(PROPOSAL)
    assert last[-1]["text"].startswith("Merci")
    assert (await conversations.answers(3002))["mode"] == "train"
    assert len(fake.callback_answers) == 3


async def test_replies_lost_to_an_outage_come_with_telegram_s_next_delivery(
    fake, server, conversations
):
    chat = Chat(fake, server.bot, Resident(3012))
    await chat.say("bonjour")
    fake.fail_next(FAST.max_attempts, 502, methods=frozenset({"sendMessage"}))
    replies = await chat.say("oui")  # the first delivery is answered 502, the next 200
    assert "Comment vous déplacez-vous" in replies[-1]["text"]
    assert fake.webhook_responses[-2:] == [502, 200]
    assert [m.text for m in conversations.handled].count("oui") == 2  # the answer stored once


async def test_the_update_is_processed_before_the_2xx(fake, server, conversations):
    resident = Resident(3003)
    assert await post(server.url, json.dumps(update_for(resident, "bonjour")).encode()) == 200
    # by the time we answered, the service had handled it and the replies were sent
    assert [m.text for m in conversations.handled] == ["bonjour"]
    assert fake.messages_to(resident)


@pytest.mark.parametrize("secret", [None, "", "wrong", WEBHOOK_SECRET + "x"])
async def test_a_wrong_or_missing_secret_is_refused_and_nothing_processed(
    fake, server, conversations, secret
):
    resident = Resident(3004)
    body = json.dumps(update_for(resident, "bonjour")).encode()
    assert await post(server.url, body, secret=secret) == 403
    assert conversations.handled == []
    assert fake.messages_to(resident) == []


@pytest.mark.parametrize("secret", [b"\xff\xfe\x80", WEBHOOK_SECRET.encode() + b"\xc3"])
async def test_a_secret_header_of_bytes_that_are_not_utf8_is_refused(
    fake, server, conversations, caplog, secret
):
    body = json.dumps(update_for(Resident(3010), "bonjour")).encode()
    target = urlsplit(server.url)
    reader, writer = await asyncio.open_connection(target.hostname, target.port)
    writer.write(
        b"POST " + target.path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\n" + SECRET_HEADER.encode() + b": " + secret + b"\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body
    )
    status_line = await reader.readline()
    writer.close()
    await writer.wait_closed()  # not left for the garbage collector: a ResourceWarning
    assert status_line.split()[1] == b"403"
    assert conversations.handled == []
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"\xff\xfe\x00", 400),
        (b"[1, 2, 3]", 400),
        (b'{"message": {"text": "no update id"}}', 400),
        (b'{"update_id": "12"}', 400),
        (json.dumps({**update_for(Resident(3011), "oui"), "update_id": True}).encode(), 400),
        (json.dumps({**update_for(Resident(3011), "oui"), "update_id": 12.0}).encode(), 400),
        (b'{"update_id": 16, "message": ' + b"[" * 100_000 + b"}", 400),
        (b"[" * 100_000, 400),
        (b'{"update_id": 12, "message": "not an object"}', 400),
        (b'{"update_id": 13, "message": {"message_id": 1}}', 400),
        (json.dumps({"update_id": 14, "x": "a" * 1_048_576}).encode(), 413),
        (b'{"update_id": 15, "some_future_update_type": {"x": 1}}', 200),
    ],
)
async def test_bad_input_is_refused_clearly_and_the_bot_carries_on(
    fake, server, conversations, body, status
):
    assert await post(server.url, body) == status
    assert conversations.handled == []
    chat = Chat(fake, server.bot, Resident(3005))
    assert await chat.say("bonjour")  # unaffected


async def test_a_redelivered_update_is_processed_once(fake, server, conversations):
    resident = Resident(3006)
    body = json.dumps(update_for(resident, "bonjour", update_id=4242)).encode()
    assert await post(server.url, body) == 200
    assert await post(server.url, body) == 200  # Telegram did not see our first 2xx
    assert len(conversations.handled) == 1
    assert len(fake.messages_to(resident)) == 2  # intro and consent, once


async def test_a_callback_we_never_issued_is_answered_and_ignored(fake, server, conversations):
    chat = Chat(fake, server.bot, Resident(3007))
    await chat.say("bonjour")
    handled = len(conversations.handled)
    forged = fake.user_taps(chat.resident, chat.last_keyboard(), "Oui", data="a12345678oui")
    await chat.settle(forged)
    assert len(conversations.handled) == handled
    assert fake.callback_answers[-1]["text"].startswith("Ce bouton n'est plus valable")


async def test_polling_refuses_to_delete_a_webhook(fake, server, conversations):
    from bot.channels.telegram.bot import running_bot
    from bot.channels.telegram.channel import TelegramStartError

    polling = telegram_settings(fake)  # no webhook_url: polling
    with pytest.raises(TelegramStartError, match="delete-webhook"):
        async with running_bot(polling, conversations):
            pass


async def test_updates_sent_while_the_server_is_down_arrive_after_a_restart(fake, conversations):
    runner, first = await start_server(fake, conversations)
    await set_webhook(first.settings)
    chat = Chat(fake, first.bot, Resident(3008))
    await chat.say("bonjour")
    await chat.tap("Oui")
    mode_question = chat.last_keyboard()
    await runner.cleanup()  # the server goes down mid-conversation
    held = fake.user_taps(chat.resident, mode_question, "Train")
    await fake.wait_for(
        lambda: len(fake.webhook_responses) >= 3 and fake.webhook_responses[-1] != 200
    )
    port = int(first.url.split(":")[2].split("/")[0])
    runner, second = await start_server(fake, conversations, port=port)
    try:
        chat.attach(second.bot)
        await chat.settle(held)  # Telegram kept it and redelivered it
        await chat.tap("4")
        await chat.say("45000")
        last = await chat.say(PROPOSAL)
    finally:
        await runner.cleanup()
    assert last[-1]["text"].startswith("Merci")
    assert (await conversations.answers(3008))["mode"] == "train"


async def test_consultbot_serve_takes_telegram_webhooks(fake, interpreter, sqlite_url):
    """The application of `consultbot serve` (bot.app.create_app), which installs
    Telegram when a token is set: a resident completes the demo through webhooks, and while the
    server drains for shutdown Telegram is told to deliver later."""
    from bot.app import CONVERSATIONS, LIFECYCLE, create_app
    from tests.serving import SECRET

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/telegram/webhook"
    settings = telegram_settings(fake, webhook_url=url, webhook_secret=WEBHOOK_SECRET)
    settings = settings.model_copy(
        update={"database_url": sqlite_url, "secret_key": SecretStr(SECRET)}
    )

    app = create_app(settings, open_service=start_service)  # Telegram installed: a token is set
    runner = web.AppRunner(app)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    try:
        await set_webhook(settings)
        chat = Chat(fake, app[TELEGRAM_BOT], Resident(3009))
        for text in ["bonjour", "oui", "train", "4", "45000"]:
            await chat.say(text)
        last = await chat.say(PROPOSAL)
        assert last[-1]["text"].startswith("Merci")
        assert await Recorder(app[CONVERSATIONS]).answers(3009) == {
            "mode": "train",
            "satisfaction": 4,
            "postal_code": "45000",
            "proposal": PROPOSAL,
        }
        app[LIFECYCLE].draining = True
        late = update_for(Resident(3010), "bonjour", update_id=9999)
        assert await post(url, json.dumps(late).encode()) == 503
        assert fake.messages_to(Resident(3010)) == []
    finally:
        await runner.cleanup()


async def test_consultbot_serve_is_not_ready_while_the_token_is_refused(
    fake, interpreter, sqlite_url
):
    """Polling inside `consultbot serve`: a token revoked while it runs is
    named by /readyz, so that an operator notices, while the process stays
    ready for the web chat and REST."""
    from bot.app import create_app
    from tests.serving import SECRET

    settings = telegram_settings(fake).model_copy(
        update={"database_url": sqlite_url, "secret_key": SecretStr(SECRET)}
    )
    app = create_app(settings, open_service=start_service)
    runner = web.AppRunner(app)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    ready = f"http://127.0.0.1:{sock.getsockname()[1]}/readyz"
    await web.SockSite(runner, sock).start()
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(ready) as response:
                assert response.status == 200
            fake.token = "123456:REVOKED"
            fake.user_sends(Resident(3013), "bonjour")  # ends the long poll in progress
            bot = app[TELEGRAM_BOT]
            await fake.wait_for(lambda: bot.problem is not None)
            async with http.get(ready) as response:
                assert response.status == 200
                assert await response.json() == {
                    "status": "ready",
                    "problems": ["telegram_token_refused"],
                }
    finally:
        await runner.cleanup()


async def test_a_webhook_mode_bot_says_when_the_webhook_is_not_registered(
    fake, conversations, caplog
):
    caplog.set_level("WARNING", logger="bot.channels.telegram.bot")
    runner, running = await start_server(fake, conversations)  # no set_webhook
    try:
        assert "consultbot telegram set-webhook" in caplog.text
        caplog.clear()
        await set_webhook(running.settings)
    finally:
        await runner.cleanup()
    runner, running = await start_server(
        fake, conversations, port=int(running.url.split(":")[2].split("/")[0])
    )
    await runner.cleanup()
    assert "set-webhook" not in caplog.text  # registered: nothing to say


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)
_UPDATES = st.one_of(
    _JSON.map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries(
        {"update_id": st.integers(10_000, 10**9) | _JSON},
        optional={"message": _JSON, "callback_query": _JSON, "edited_message": _JSON},
    ).map(lambda value: json.dumps(value).encode()),
    st.integers(1, 200_000).map(lambda depth: b'{"update_id": 1, "message": ' + b"[" * depth),
    st.binary(max_size=64),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=_UPDATES)
async def test_any_body_is_answered_below_500(server, body):
    assert await post(server.url, body) in (200, 400, 413)


async def test_two_processes_send_the_replies_kept_for_a_message_once(fake, conversations):
    """Two `--workers` on webhooks: a message answered 502 by one process (its
    replies not delivered) is delivered again to the other, which sends them;
    a tap that then reaches the first process never sends them a second time."""
    runner_a, a = await start_server(fake, conversations)
    runner_b, b = await start_server(fake, conversations)
    resident = Resident(1201)
    try:
        async with aiohttp.ClientSession() as http:

            async def deliver(server: Server, update: dict[str, Any]) -> int:
                headers = {SECRET_HEADER: WEBHOOK_SECRET}
                async with http.post(server.url, json=update, headers=headers) as response:
                    return response.status

            assert await deliver(a, fake.user_sends(resident, "bonjour")) == 200
            consent = fake.messages_to(resident)[-1]
            fake.fail_next(FAST.max_attempts, 502, methods=frozenset({"sendMessage"}))
            oui = fake.user_sends(resident, "oui")
            assert await deliver(a, oui) == 502
            assert await deliver(b, oui) == 200  # delivered again, to the other process
            assert await deliver(a, fake.user_taps(resident, consent, "Oui")) == 200
    finally:
        await runner_a.cleanup()
        await runner_b.cleanup()
    shown = [m["text"] for m in fake.messages_to(resident)]
    assert len([t for t in shown if "Comment vous déplacez-vous" in t]) == 1
    assert fake.callback_answers[-1]["text"] == "Vous avez déjà répondu à cette question."
    assert await conversations.answers(1201) == {}
