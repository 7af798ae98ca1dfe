"""A webhook receiver on loopback, as a consultation engine would run one: it
verifies every signature with the `standardwebhooks` library and dedupes on
`webhook-id`. It can be stopped and started again on the same port, and told
how to answer."""

from __future__ import annotations

import asyncio
import json
import socket
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from standardwebhooks import Webhook, WebhookVerificationError


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Receiver:
    secret: str
    port: int = field(default_factory=free_port)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False  # answer only once released (or stopped): a time-out, a slow receiver
    raw: list[tuple[str, str]] = field(default_factory=list)  # (path, webhook-id) as they came
    bodies: dict[str, Any] = field(default_factory=dict)  # webhook-id -> verified payload
    forged: int = 0  # deliveries whose signature did not verify
    overlaps: int = 0  # an id arriving while the same one was still being handled
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    holding: asyncio.Event = field(default_factory=asyncio.Event)  # a request waits for release
    requests: int = 0  # every request, answered or not
    # Awaited as each request arrives (a test looking at the sender meanwhile).
    on_request: Callable[[], Awaitable[None]] | None = None
    _in_flight: set[tuple[str, str]] = field(default_factory=set)
    _runner: web.AppRunner | None = None
    _released: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def unique(self) -> set[tuple[str, str]]:
        """What the receiver keeps after its dedupe."""
        return set(self.raw)

    def duplicates(self) -> int:
        return sum(count - 1 for count in Counter(self.raw).values())

    async def start(self) -> None:
        self._released = asyncio.Event()
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True).start()

    def release(self) -> None:
        """Answer the requests held by `hang`, and those to come at once."""
        self._released.set()

    async def stop(self) -> None:
        self._released.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        key = (request.path, request.headers.get("webhook-id", ""))
        self.requests += 1
        if self.on_request is not None:
            await self.on_request()
        if key in self._in_flight:
            self.overlaps += 1
        self._in_flight.add(key)
        try:
            body = await request.text()
            try:
                payload = Webhook(self.secret).verify(body, dict(request.headers))
            except WebhookVerificationError:
                self.forged += 1
                return web.Response(status=400)
            if self.hang and not self._released.is_set():
                self.holding.set()
                await self._released.wait()  # until released or stopped
            if self.status < 300:
                self.raw.append(key)
                self.bodies[key[1]] = payload
                self.arrived.set()
        finally:
            self._in_flight.discard(key)
        return web.Response(status=self.status, headers=self.headers, text=json.dumps({}))
