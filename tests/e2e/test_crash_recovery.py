"""A crowd of residents talks to a real `consultbot serve` process that is killed
with SIGKILL at random moments and restarted. Clients retry a message whose
reply they did not get, with the same message id, as the REST channel allows.

Every answer whose reply was delivered is stored exactly once, and every
resident carries on where they were and completes the consultation.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import sys
from pathlib import Path

import aiohttp
from sqlalchemy import text

from storage.database import Database
from tests.serving import DEMO

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {
    "mode": "train",
    "satisfaction": 4,
    "postal_code": "45000",
    "proposal": "Plus de trains le soir entre Orléans et Tours",
}
RESIDENTS = 12
KILLS = 3
# Each resident takes at least 6 × THINK_S: the first kill (at most FIRST_KILL_S)
# always lands in the middle of the crowd, however fast the server answers.
THINK_S = 0.1
FIRST_KILL_S = 0.5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """`consultbot serve` as a separate process, killed and started at will."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = f"sqlite+aiosqlite:///{tmp_path / 'consultbot.db'}"
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "CONSULTBOT_DATABASE_URL": self.database_url,
            "CONSULTBOT_SECRET_KEY": "crash-test-secret-key-0123456789",
        }
        self.cwd = tmp_path
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, http: aiohttp.ClientSession) -> None:
        self.process = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bot", "serve", "--port", str(self.port)),
            cwd=self.cwd,
            env=self.env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for _ in range(600):
            try:
                async with http.get(f"{self.url}/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            assert self.process.returncode is None, "the server exited while starting"
            await asyncio.sleep(0.05)
        raise AssertionError("the server did not get ready in 30 s")

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await asyncio.wait_for(self.process.wait(), timeout=30)


async def resident(
    http: aiohttp.ClientSession, server: Server, name: str, delivered: list[str]
) -> str:
    """Sends the demo answers one after the other, retrying each (same id) until
    its reply arrives; returns the last reply's text."""
    last = ""
    for number, message in enumerate(DEMO):
        body = {"sender": name, "message": message, "message_id": f"{name}-{number}"}
        while True:
            try:
                async with http.post(f"{server.url}/webhooks/rest/webhook", json=body) as response:
                    if response.status == 200:
                        replies = await response.json()
                        last = replies[-1]["text"]
                        delivered.append(f"{name}:{message}")
                        break
            except (TimeoutError, aiohttp.ClientError):
                pass
            await asyncio.sleep(0.05)  # the server is down or restarting
        await asyncio.sleep(random.uniform(THINK_S, 3 * THINK_S))  # a person reads, types
    return last


async def test_killed_server_loses_nothing_and_duplicates_nothing(tmp_path):
    random.seed(20261129)
    server = Server(tmp_path)
    timeout = aiohttp.ClientTimeout(total=20)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        await server.start(http)
        delivered: list[str] = []
        crowd = asyncio.gather(
            *(resident(http, server, f"resident-{i}", delivered) for i in range(RESIDENTS))
        )
        kills = 0
        while kills < KILLS and not crowd.done():
            await asyncio.sleep(random.uniform(0.1, FIRST_KILL_S))
            if crowd.done():
                break
            await server.kill()
            kills += 1
            await server.start(http)
        outros = await crowd
        await server.stop()
    assert kills >= 1, "the crowd finished before any kill: make it bigger"
    assert all(text.startswith("Merci") for text in outros)
    assert len(delivered) == RESIDENTS * len(DEMO)

    database = await Database.connect(server.database_url)
    try:
        async with database.transaction() as session:
            rows = (
                await session.execute(
                    text(
                        "SELECT session_id, question_id, value FROM answers "
                        "WHERE superseded_at IS NULL ORDER BY session_id, id"
                    )
                )
            ).all()
            every = await session.scalar(text("SELECT count(*) FROM answers"))
            completed = await session.scalar(
                text("SELECT count(*) FROM sessions WHERE status = 'completed'")
            )
    finally:
        await database.close()
    by_session: dict[int, dict[str, object]] = {}
    for row in rows:
        value = row.value
        by_session.setdefault(row.session_id, {})[row.question_id] = value
    assert completed == RESIDENTS
    assert every == RESIDENTS * len(EXPECTED)  # nothing stored twice, not even superseded
    assert len(by_session) == RESIDENTS
    for answers in by_session.values():
        assert {q: _plain(v) for q, v in answers.items()} == EXPECTED


def _plain(value: object) -> object:
    """SQLite hands JSON back as text through a raw query."""
    import json

    return json.loads(value) if isinstance(value, str) else value
