"""Bring your own Rasa, against a real HTTP server on loopback that answers
POST /model/parse in Rasa's format (a keyword table stands in for the model)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.rasa import RasaCommands, RasaUnavailable, interpret_with_rasa
from nlu import Answer, Command, QuestionSpec, Reject

TODAY = dt.date(2026, 6, 15)
# What the stand-in model answers: text -> (intent, confidence).
MODEL = {
    "laisse tomber": ("stop", 0.94),
    "non": ("stop", 0.71),
    "je veux la mairie": ("human_handoff", 0.88),
    "bonjour": ("greet", 0.97),
    "bof": ("stop", 0.31),
}


def rasa_app(mode: dict[str, str], released: asyncio.Event) -> web.Application:
    async def parse(request: web.Request) -> web.Response:
        body = await request.json()
        if mode.get("fail") == "500":
            return web.json_response({"error": "model not loaded"}, status=500)
        if mode.get("fail") == "garbage":
            return web.Response(text="<html>proxy error</html>", content_type="text/html")
        if mode.get("fail") == "slow":  # never answers: the client's time-out decides
            await released.wait()  # until the test ends (the server's stop would wait 60 s)
        name, confidence = MODEL.get(body["text"], ("nlu_fallback", 0.4))
        ranking = [{"name": name, "confidence": confidence}]
        return web.json_response(
            {
                "text": body["text"],
                "intent": {"name": name, "confidence": confidence},
                "entities": [],
                "intent_ranking": ranking,
            }
        )

    app = web.Application()
    app.router.add_post("/model/parse", parse)
    return app


@pytest.fixture
async def rasa_server() -> AsyncIterator[tuple[str, dict[str, str]]]:
    mode: dict[str, str] = {}
    released = asyncio.Event()
    runner = web.AppRunner(rasa_app(mode, released))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}", mode
    released.set()
    await runner.cleanup()


async def test_rasa_recognises_commands_and_aliases(rasa_server):
    url, _ = rasa_server
    async with aiohttp.ClientSession() as session:
        rasa = RasaCommands(url + "/", session)
        assert await rasa.recognise("laisse tomber") == "stop"
        assert await rasa.recognise("je veux la mairie") == "human"
        assert await rasa.recognise("bonjour") is None  # not one of our commands
        assert await rasa.recognise("bof") is None  # not confident enough


async def test_the_interpreter_still_weighs_rasa_commands(rasa_server, interpreter):
    url, _ = rasa_server
    yes_no = QuestionSpec("yes_no")
    async with aiohttp.ClientSession() as session:
        rasa = RasaCommands(url, session)
        assert await interpret_with_rasa(
            interpreter, rasa, "laisse tomber", yes_no, "fr", TODAY
        ) == Command("stop")
        assert await interpret_with_rasa(interpreter, rasa, "non", yes_no, "fr", TODAY) == Answer(
            False
        )
        number = QuestionSpec("number", min=0, max=10)
        assert await interpret_with_rasa(
            interpreter, rasa, "je veux la mairie", number, "fr", TODAY
        ) == Command("human")
        # Rasa says nothing: the built-in classifier is not consulted.
        assert await interpret_with_rasa(
            interpreter, rasa, "je veux parler à un humain", number, "fr", TODAY
        ) == Reject("not_understood")


@pytest.mark.parametrize("failure", ["500", "garbage", "slow"])
async def test_an_unusable_server_falls_back_on_the_built_in_classifier(
    rasa_server, interpreter, failure, caplog
):
    url, mode = rasa_server
    mode["fail"] = failure
    async with aiohttp.ClientSession() as session:
        rasa = RasaCommands(url, session, timeout_seconds=0.3)
        with pytest.raises(RasaUnavailable, match=r"Rasa server at http://127\.0\.0\.1"):
            await rasa.recognise("laisse tomber")
        got = await interpret_with_rasa(
            interpreter, rasa, "je veux parler à un humain", QuestionSpec("yes_no"), "fr", TODAY
        )
    assert got == Command("human")
    assert "built-in command classifier" in caplog.text
    assert "humain" not in caplog.text  # no message text in logs


async def test_an_unreachable_server_is_unavailable():
    async with aiohttp.ClientSession() as session:
        rasa = RasaCommands("http://127.0.0.1:9", session, timeout_seconds=0.5)
        with pytest.raises(RasaUnavailable, match="unreachable"):
            await rasa.recognise("stop")
