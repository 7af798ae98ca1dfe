"""`consultbot serve` against slow, numerous and vanishing clients, over real
sockets: time-outs on headers and bodies, a cap of connections per address, and a
quiet log when a client goes away mid-request."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot.cli.test_serve import environment, free_port, wait_ready

ROOT = Path(__file__).resolve().parents[3]


class Server:
    def __init__(
        self, process: asyncio.subprocess.Process, port: int, streams: contextlib.AsyncExitStack
    ) -> None:
        self.process, self.port = process, port
        self._streams = streams

    async def connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """A raw connection, closed (and its socket released) when the test ends:
        left to the garbage collector, an unclosed socket is a ResourceWarning,
        which this suite makes an error, at a moment that depends on GC timing."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        self._streams.push_async_callback(close, writer)
        return reader, writer

    async def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        assert self.process.stderr is not None
        err = await asyncio.wait_for(self.process.stderr.read(), 60)
        await asyncio.wait_for(self.process.wait(), 60)
        return err.decode()


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    port = free_port()
    env = environment(tmp_path) | {
        "CONSULTBOT_SERVER__HEADER_TIMEOUT_S": "0.5",
        "CONSULTBOT_SERVER__BODY_TIMEOUT_S": "0.5",
        "CONSULTBOT_SERVER__MAX_CONNECTIONS_PER_ADDRESS": "8",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        "--port",
        str(port),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await wait_ready(process, f"http://127.0.0.1:{port}")
        async with contextlib.AsyncExitStack() as streams:
            yield Server(process, port, streams)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()


REST = b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"


async def test_clients_gone_mid_body_leave_no_traceback_and_no_address(server):
    for _ in range(30):
        _, writer = await server.connect()
        writer.write(REST + b'Content-Length: 1000\r\n\r\n{"sender": "a", "mess')
        await writer.drain()
        await close(writer)
    err = await server.stop()
    assert "Traceback" not in err
    assert "ERROR" not in err
    assert "127.0.0.1" not in err.replace("http://127.0.0.1", "")


async def test_headers_that_never_end_are_cut_off(server):
    reader, writer = await server.connect()
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and nothing more
    assert await asyncio.wait_for(reader.read(), 60) == b""  # closed by the server


async def test_a_body_that_never_ends_gets_a_408(server):
    reader, writer = await server.connect()
    writer.write(REST + b'Content-Length: 1000\r\n\r\n{"sender": "a", "mess')
    status = await asyncio.wait_for(reader.readline(), 60)
    assert status.split()[1] == b"408"


async def test_connections_over_the_cap_per_address_are_closed(server):
    for _ in range(8):
        reader, writer = await server.connect()
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")  # keep-alive: stays open
        assert b"200" in await asyncio.wait_for(reader.readline(), 60)
    reader, writer = await server.connect()
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert await asyncio.wait_for(reader.read(), 60) == b""
    except ConnectionResetError:
        pass  # refused at once
