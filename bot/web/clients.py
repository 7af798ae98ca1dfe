"""How `consultbot serve` treats HTTP clients that are slow, many or gone.

- A connection must send its first request's headers within `header_timeout`
  seconds, and a request's body must arrive within `body_timeout` seconds (408);
  a client holding connections open half-sent ties up nothing for long.
- At most `max_connections_per_address` connections are open from one address
  (0: no cap, e.g. behind a reverse proxy, where every client has its address);
  more are closed at once.
- A client that goes away in the middle of a request is one line at debug
  level, not a traceback.
- Client addresses are not logged unless `server.log_client_addresses` is true.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, Final

from aiohttp import web

from bot.config import ServerSettings

log = logging.getLogger(__name__)

BODY_TIMEOUT: Final = web.AppKey("body_timeout_s", float)
DEFAULT_BODY_TIMEOUT_S: Final = 30.0
_END_OF_HEADERS: Final = b"\r\n\r\n"


async def read_body(request: web.Request, limit: int) -> bytes | None:
    """The whole body, or None past `limit` bytes (read no further). Raises 408
    when it does not arrive within the application's body time-out."""
    if request.content_length is not None and request.content_length > limit:
        return None
    content = request.content
    if content.is_eof():  # all of it arrived with the headers (most requests): no wait
        whole = content.read_nowait()
        return whole if len(whole) <= limit else None
    timeout = request.app.get(BODY_TIMEOUT, DEFAULT_BODY_TIMEOUT_S)
    body = bytearray()
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.content.iter_chunked(64 * 1024):
                body += chunk
                if len(body) > limit:
                    return None
    except TimeoutError:
        log.debug("a request body did not arrive within %.0f s (408)", timeout)
        raise web.HTTPRequestTimeout(
            text='{"error": "timeout", "message": "The body took too long to arrive."}',
            content_type="application/json",
        ) from None
    return bytes(body)


@web.middleware
async def quiet_disconnects(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """A client gone in the middle of its request: one debug line, no traceback."""
    try:
        return await handler(request)
    except ConnectionResetError:
        transport = request.transport
        if transport is not None and not transport.is_closing():
            raise  # not the client: someone else's connection failed
        log.debug("a client went away in the middle of a request to %s", request.path)
        return web.Response(status=400)  # never sent: there is nobody to send it to


class _AddressFilter(logging.Filter):
    """aiohttp names the client's address when a request fails; we do not."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.endswith("from %s") and record.args:
            record.args = ("a client",)
        return True


def hide_client_addresses(server: ServerSettings) -> None:
    """Unless configured, keep client addresses out of aiohttp's log lines."""
    logger = logging.getLogger("aiohttp.server")
    for installed in [f for f in logger.filters if isinstance(f, _AddressFilter)]:
        logger.removeFilter(installed)
    if not server.log_client_addresses:
        logger.addFilter(_AddressFilter())


class ConnectionGuard:
    """A protocol factory around aiohttp's (`AppRunner.server`) for
    `loop.create_server`: caps connections per address and closes a connection
    whose first request's headers do not arrive in time."""

    def __init__(self, factory: Callable[[], asyncio.Protocol], settings: ServerSettings) -> None:
        self._factory = factory
        self._max = settings.max_connections_per_address
        self.header_timeout = settings.header_timeout_s
        self._open: Counter[str] = Counter()

    def __call__(self) -> asyncio.Protocol:
        return _Guarded(self, self._factory())

    def opened(self, address: str) -> bool:
        """Count a connection from `address`; False when over the cap."""
        if self._max and self._open[address] >= self._max:
            log.info("a connection over the cap of %d per address was closed", self._max)
            return False
        self._open[address] += 1
        return True

    def closed(self, address: str) -> None:
        self._open[address] -= 1
        if self._open[address] <= 0:
            del self._open[address]


class _Guarded(asyncio.Protocol):
    """aiohttp's protocol for one connection, behind the guard's checks."""

    def __init__(self, guard: ConnectionGuard, inner: asyncio.Protocol) -> None:
        self._guard = guard
        self._inner = inner
        self._address: str | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._tail = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        peer = transport.get_extra_info("peername")
        address = str(peer[0]) if isinstance(peer, tuple) else "?"
        if not self._guard.opened(address):
            transport.abort()
            return
        self._address, self._transport = address, transport
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self._guard.header_timeout, self._too_slow)
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._timer is not None:
            seen = self._tail + data
            if _END_OF_HEADERS in seen:
                self._timer.cancel()
                self._timer = None
            else:
                self._tail = seen[-3:]
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._address is None:
            return  # refused before aiohttp saw it
        if self._timer is not None:
            self._timer.cancel()
        self._guard.closed(self._address)
        self._address = None
        self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()

    def _too_slow(self) -> None:
        self._timer = None
        log.debug("a connection sent no complete request headers in time; closed")
        if self._transport is not None:
            self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
