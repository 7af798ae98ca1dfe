"""`consultbot serve` against slow, numerous and vanishing clients, over real
sockets: time-outs on headers and bodies, a cap of connections per address, and a
quiet log when a client goes away mid-request."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot.cli.test_serve import environment, free_port, wait_ready

ROOT = Path(__file__).resolve().parents[3]


class Server:
    def __init__(self, process: asyncio.subprocess.Process, port: int) -> None:
        self.process, self.port = process, port

    async def connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", self.port)

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
        yield Server(process, port)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


REST = b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"


async def test_clients_gone_mid_body_leave_no_traceback_and_no_address(server):
    for _ in range(30):
        _, writer = await server.connect()
        writer.write(REST + b'Content-Length: 1000\r\n\r\n{"sender": "a", "mess')
        await writer.drain()
        writer.close()
        await writer.wait_closed()
    err = await server.stop()
    assert "Traceback" not in err
    assert "ERROR" not in err
    assert "127.0.0.1" not in err.replace("http://127.0.0.1", "")


async def test_headers_that_never_end_are_cut_off(server):
    reader, writer = await server.connect()
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and nothing more
    assert await asyncio.wait_for(reader.read(), 60) == b""  # closed by the server
    writer.close()


async def test_a_body_that_never_ends_gets_a_408(server):
    reader, writer = await server.connect()
    writer.write(REST + b'Content-Length: 1000\r\n\r\n{"sender": "a", "mess')
    status = await asyncio.wait_for(reader.readline(), 60)
    assert status.split()[1] == b"408"
    writer.close()


async def test_connections_over_the_cap_per_address_are_closed(server):
    held = []
    for _ in range(8):
        reader, writer = await server.connect()
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")  # keep-alive: stays open
        assert b"200" in await asyncio.wait_for(reader.readline(), 60)
        held.append(writer)
    reader, writer = await server.connect()
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert await asyncio.wait_for(reader.read(), 60) == b""
    except ConnectionResetError:
        pass  # refused at once
    for writer in held:
        writer.close()
