"""Several `consultbot serve` processes on one PostgreSQL database, as an
operator runs them: real processes, real HTTP, real PostgreSQL.

Residents talk through two separate processes at once: some only to one, some
only to the other, some alternating between them message by message, and each
message of those also delivered to both processes at the same time (a platform
redelivering to whichever process answers). Every resident completes, every
answer is stored once, each transcript is in the order it was said, and the two
copies of a message get the same replies. `--workers 2` serves on one port and
stops cleanly; on SQLite it is refused with what to do instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text

from storage.database import Database
from tests.serving import DEMO

ROOT = Path(__file__).resolve().parents[2]
WEBHOOK = "/webhooks/rest/webhook"
ONLY_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
EXPECTED_SAID = list(DEMO[1:])  # "bonjour" comes before consent: not kept


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CONSULTBOT_")}
    env.update(
        PYTHONPATH=str(ROOT),
        CONSULTBOT_DATABASE_URL=database_url,
        CONSULTBOT_SECRET_KEY="workers-test-key-0123456789abcdef",
    )
    return env


class Serve:
    """`consultbot serve ARGS` in a process of its own."""

    def __init__(self, database_url: str, *args: str, **settings: str) -> None:
        """`settings`: CONSULTBOT_ variables, e.g. API__BURST="4"."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._args = ("--port", str(self.port), *args)
        self._env = environment(database_url)
        self._env.update({f"CONSULTBOT_{name}": value for name, value in settings.items()})
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, cwd: Path) -> None:
        self.process = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bot", "serve", *self._args),
            cwd=cwd,
            env=self._env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )

    async def ready(self) -> None:
        assert self.process is not None
        async with aiohttp.ClientSession() as session:
            while True:  # bounded by the caller
                assert self.process.returncode is None, "consultbot serve exited early"
                try:
                    async with session.get(self.url + "/readyz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.05)

    async def stop(self) -> tuple[int, str]:
        assert self.process is not None
        assert self.process.stderr is not None
        self.process.send_signal(signal.SIGTERM)
        err = await asyncio.wait_for(self.process.stderr.read(), 120)
        return await asyncio.wait_for(self.process.wait(), 120), err.decode()

    def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()


def workers_of(process: asyncio.subprocess.Process | None) -> list[int]:
    """The pids of a supervisor's worker processes."""
    assert process is not None
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    return [int(pid) for pid in children.read_text().split()]


def running(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


@pytest.fixture
async def started(tmp_path: Path) -> AsyncIterator[list[Serve]]:
    """The servers a test starts; any left running are killed at the end, the
    workers of a supervisor first (orphaned, they would keep serving, and keep
    its stderr open: waiting for it would never end)."""
    servers: list[Serve] = []
    yield servers
    for server in servers:
        if server.process is not None and server.process.returncode is None:
            with contextlib.suppress(OSError):  # gone meanwhile
                for pid in workers_of(server.process):
                    os.kill(pid, signal.SIGKILL)
        server.kill()
        if server.process is not None:
            await server.process.wait()


async def start_all(servers: list[Serve], cwd: Path) -> None:
    for server in servers:
        await server.start(cwd)
    await asyncio.wait_for(asyncio.gather(*(server.ready() for server in servers)), 300)


async def post(http: aiohttp.ClientSession, url: str, body: dict[str, str]) -> list[dict]:
    """The replies to one message; a connection lost on the way (a worker killed)
    is retried with the same message id, as a client of the REST channel does."""
    for _ in range(100):
        try:
            async with http.post(url + WEBHOOK, json=body) as response:
                assert response.status == 200, await response.text()
                return await response.json()
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.1)
    raise AssertionError(f"no reply to {body} after 100 tries")


async def resident(
    http: aiohttp.ClientSession, name: str, urls: list[str], both_at_once: bool
) -> str:
    """The demo script, message n to urls[n % len(urls)]; with `both_at_once`,
    each message also goes to every url at the same time (same message id)."""
    last = ""
    for number, message in enumerate(DEMO):
        body = {"sender": name, "message": message, "message_id": f"{name}-{number}"}
        if both_at_once:
            copies = await asyncio.gather(*(post(http, url, body) for url in urls))
            assert all(copy == copies[0] for copy in copies), (name, message, *copies)
            replies = copies[0]
        else:
            replies = await post(http, urls[number % len(urls)], body)
        last = replies[-1]["text"]
    return last


async def stored(database_url: str) -> tuple[int, dict[int, list[str]], int]:
    """(answers stored, the resident's words per session in order, completed sessions)."""
    database = await Database.connect(database_url)
    try:
        async with database.read() as session:
            answers = await session.scalar(text("SELECT count(*) FROM answers"))
            lines = (
                await session.execute(
                    text(
                        "SELECT session_id, text FROM transcript_lines "
                        "WHERE direction = 'in' ORDER BY id"
                    )
                )
            ).all()
            completed = await session.scalar(
                text("SELECT count(*) FROM sessions WHERE status = 'completed'")
            )
    finally:
        await database.close()
    said: dict[int, list[str]] = {}
    for session_id, words in lines:
        said.setdefault(session_id, []).append(words)
    return int(answers or 0), said, int(completed or 0)


@ONLY_POSTGRESQL
async def test_two_processes_on_one_database_lose_nothing_duplicate_nothing_keep_order(
    database_url: str, tmp_path: Path, started: list[Serve]
):
    first, second = Serve(database_url), Serve(database_url)
    started += [first, second]
    await start_all(started, tmp_path)
    urls = [first.url, second.url]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
        crowd = [
            *(resident(http, f"first-{i}", [first.url], False) for i in range(5)),
            *(resident(http, f"second-{i}", [second.url], False) for i in range(5)),
            *(resident(http, f"alternating-{i}", urls, False) for i in range(5)),
            *(resident(http, f"both-{i}", urls, True) for i in range(5)),
        ]
        outros = await asyncio.gather(*crowd)
    assert all(outro.startswith("Merci") for outro in outros), outros
    answers, said, completed = await stored(database_url)
    assert completed == 20
    assert answers == 20 * 4  # four questions each, none stored twice
    assert len(said) == 20
    assert all(words == EXPECTED_SAID for words in said.values()), said
    for server in started:
        code, _ = await server.stop()
        assert code == 0


@ONLY_POSTGRESQL
async def test_serve_with_two_workers_serves_one_port_and_stops_cleanly(
    database_url: str, tmp_path: Path, started: list[Serve]
):
    served = Serve(database_url, "--workers", "2")
    started.append(served)
    await start_all(started, tmp_path)
    workers = workers_of(served.process)
    assert len(workers) == 2  # two serving processes under the supervisor
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
        outros = await asyncio.gather(
            *(resident(http, f"resident-{i}", [served.url], False) for i in range(10))
        )
    assert all(outro.startswith("Merci") for outro in outros)
    answers, said, completed = await stored(database_url)
    assert (answers, completed, len(said)) == (40, 10, 10)
    code, err = await served.stop()
    assert code == 0, err
    assert "2 workers serving on port" in err
    assert not any(running(pid) for pid in workers)


@ONLY_POSTGRESQL
async def test_a_worker_that_dies_is_started_again_and_the_other_carries_on(
    database_url: str, tmp_path: Path, started: list[Serve]
):
    served = Serve(database_url, "--workers", "2")
    started.append(served)
    await start_all(started, tmp_path)
    killed = workers_of(served.process)[0]
    os.kill(killed, signal.SIGKILL)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
        outros = await asyncio.gather(
            *(resident(http, f"resident-{i}", [served.url], False) for i in range(6))
        )
        assert all(outro.startswith("Merci") for outro in outros)

        for _ in range(3000):  # the supervisor starts another in its place
            now = workers_of(served.process)
            if len(now) == 2 and killed not in now:
                break
            await asyncio.sleep(0.1)
        assert len(now) == 2
        assert killed not in now
    code, err = await served.stop()
    assert code == 0, err
    assert f"(pid {killed}) died" in err


async def test_workers_on_sqlite_are_refused_with_what_to_do(tmp_path: Path):
    env = environment(f"sqlite+aiosqlite:///{tmp_path / 'consultbot.db'}")
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "serve", "--workers", "2"),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 1
    message = err.decode()
    assert "--workers 2 needs PostgreSQL" in message
    assert "Traceback" not in message
    assert not (tmp_path / "consultbot.db").exists()  # refused before opening anything
