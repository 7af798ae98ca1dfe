"""Shutdown: messages in flight are finished, new ones refused, sockets told."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.app import LIFECYCLE, create_app
from bot.channel_contract import Conversations, InboundMessage
from bot.web.lifecycle import Draining, Lifecycle
from flows.replies import Reply
from tests.serving import settings_for, start_service


class Gate:
    """The real service behind a gate the test opens, to hold messages in flight."""

    def __init__(self, service: Conversations) -> None:
        self.service = service
        self.entered = asyncio.Event()
        self.open = asyncio.Event()

    async def handle(self, message: InboundMessage) -> Sequence[Reply]:
        self.entered.set()
        await self.open.wait()
        return await self.service.handle(message)


async def test_shutdown_answers_messages_in_flight_then_closes_sockets(tmp_path: Path):
    gates: list[Gate] = []

    def wrap(service: Conversations) -> Gate:
        gates.append(Gate(service))
        return gates[0]

    app = create_app(settings_for(tmp_path), open_service=start_service, wrap=wrap)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    gate = gates[0]
    base = f"http://{host}:{port}"
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(base + "/ws")
        await ws.send_json({"v": 1, "type": "hello", "token": None})
        await ws.receive_json()
        in_flight = asyncio.create_task(
            session.post(
                base + "/webhooks/rest/webhook", json={"sender": "r", "message": "bonjour"}
            )
        )
        await gate.entered.wait()
        stopping = asyncio.create_task(runner.cleanup())
        while not app[LIFECYCLE].draining:  # noqa: ASYNC110 - the app offers no event for it
            await asyncio.sleep(0.01)
        # From now on the server reads nothing more: a message sent now is never
        # acknowledged and stays with the tab, which sends it again on reconnecting.
        await ws.send_json({"v": 1, "type": "message", "id": "late", "text": "bonjour"})
        assert not stopping.done()
        gate.open.set()
        response = await in_flight
        assert response.status == 200
        assert (await response.json())[0]["text"].startswith("Bonjour")
        closing = await ws.receive()
        assert closing.type is aiohttp.WSMsgType.CLOSE
        assert ws.close_code == aiohttp.WSCloseCode.GOING_AWAY
        await stopping


async def test_drain_waits_for_messages_in_flight_and_refuses_new_ones():
    lifecycle = Lifecycle()
    with pytest.raises(Draining):  # not started yet
        async with lifecycle.message():
            pass
    lifecycle.ready = True
    release = asyncio.Event()
    finished: list[str] = []

    async def one_message() -> None:
        async with lifecycle.message():
            await release.wait()
            finished.append("done")

    task = asyncio.create_task(one_message())
    await asyncio.sleep(0)
    draining = asyncio.create_task(lifecycle.drain())
    await asyncio.sleep(0)
    assert not draining.done()
    assert not lifecycle.accepting
    with pytest.raises(Draining):
        async with lifecycle.message():
            pass
    release.set()
    await draining
    await task
    assert finished == ["done"]


async def test_a_failed_message_is_no_longer_in_flight():
    lifecycle = Lifecycle()
    lifecycle.ready = True
    with pytest.raises(RuntimeError):
        async with lifecycle.message():
            raise RuntimeError("the service failed")
    await asyncio.wait_for(lifecycle.drain(), 1)
