"""Bring your own Rasa: with `nlu.rasa_url` set, the conversation service asks a
Rasa server (here a real HTTP server on loopback speaking /model/parse) which
command a message is, and falls back on the built-in classifier when it is down."""

from __future__ import annotations

import pytest
from aiohttp import web

from bot.client import Client
from bot.errors import ConfigError


async def rasa_server(intents: dict[str, str]):
    seen: list[str] = []

    async def parse(request: web.Request) -> web.Response:
        text = (await request.json())["text"]
        seen.append(text)
        name = intents.get(text, "nlu_fallback")
        return web.json_response(
            {"text": text, "intent": {"name": name, "confidence": 0.95}, "entities": []}
        )

    app = web.Application()
    app.router.add_post("/model/parse", parse)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}", seen


async def test_commands_come_from_the_regions_rasa_server(open_service, clock):
    runner, url, seen = await rasa_server({"appelez-moi quelqu'un": "human_handoff"})
    try:
        service = await open_service(nlu__rasa_url=url)
        client = Client(service, now=clock)
        await client.converse("alice", "bonjour", "oui")
        replies = await client.send("alice", "appelez-moi quelqu'un")
        assert "appelez-moi quelqu'un" in seen
        assert any("membre de l'équipe" in r.text for r in replies)
        # An answer stays an answer when Rasa sees no command in it.
        replies = await client.send("alice", "train")
        assert "1 à 5" in replies[-1].text
    finally:
        await runner.cleanup()


async def test_a_rasa_server_that_is_down_leaves_the_builtin_classifier(open_service, clock):
    runner, url, _ = await rasa_server({})
    await runner.cleanup()  # nothing listens there any more
    service = await open_service(nlu__rasa_url=url)
    client = Client(service, now=clock)
    await client.converse("alice", "bonjour", "oui")
    replies = await client.send("alice", "aide")  # the built-in classifier knows this one
    assert "À tout moment, vous pouvez écrire" in replies[0].text


def test_a_broken_training_file_stops_start_up_with_its_name(tmp_path):
    from bot.config import load_settings
    from bot.understanding import build_interpreter

    bad = tmp_path / "extra.yml"
    bad.write_text("nlu:\n  - intent: help\n    examples: 42\n", encoding="utf-8")
    settings = load_settings(environ={"CONSULTBOT_NLU__TRAINING_FILES": f'["{bad}"]'})
    with pytest.raises(ConfigError, match=r"nlu\.training_files"):
        build_interpreter(settings)
