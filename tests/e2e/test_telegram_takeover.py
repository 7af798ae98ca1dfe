"""Telegram polling with several processes on one PostgreSQL database: one
polls, the other stands by (two pollers of one bot make Telegram answer 409 to
one and the other in turn); when the polling process is killed (SIGKILL), the
other takes over within seconds and residents are answered again."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from tests.bot.channels.fake_bot_api import TOKEN, FakeBotApi, Resident
from tests.e2e.test_workers import ONLY_POSTGRESQL, Serve, start_all

POLLS = "telegram: this process polls"
STANDS_BY = "telegram: another process polls; standing by"


class Watched(Serve):
    """A serve process whose log lines are read as they come."""

    def __init__(self, database_url: str, fake: FakeBotApi) -> None:
        super().__init__(database_url)
        self._env.update(
            CONSULTBOT_TELEGRAM__BOT_TOKEN=TOKEN,
            CONSULTBOT_TELEGRAM__API_BASE_URL=fake.base_url,
        )
        self.log: list[str] = []
        self._reading: asyncio.Task[None] | None = None

    async def start(self, cwd: Path) -> None:
        await super().start(cwd)
        self._reading = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process is not None
        assert self.process.stderr is not None
        async for line in self.process.stderr:
            self.log.append(line.decode(errors="replace"))

    async def said(self, text: str, within: float = 60.0) -> None:
        for _ in range(int(within * 10)):
            if any(text in line for line in self.log):
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"never logged {text!r}: {''.join(self.log)[-2000:]}")

    def kill(self) -> None:
        super().kill()
        if self._reading is not None:
            self._reading.cancel()


@pytest.fixture
async def fake():
    api = FakeBotApi()
    await api.start()
    yield api
    await api.close()


@pytest.fixture
async def servers():
    started: list[Watched] = []
    yield started
    for server in started:
        server.kill()
        if server.process is not None:
            await server.process.wait()


@ONLY_POSTGRESQL
async def test_one_process_polls_and_another_takes_over_when_it_is_killed(
    database_url: str, tmp_path: Path, fake: FakeBotApi, servers: list[Watched]
):
    first = Watched(database_url, fake)
    servers.append(first)
    await start_all([first], tmp_path)
    await first.said(POLLS)
    second = Watched(database_url, fake)
    servers.append(second)
    await start_all([second], tmp_path)
    await second.said(STANDS_BY)

    camille = Resident(1001)
    fake.user_sends(camille, "bonjour")
    await fake.wait_for_messages(camille, 1, within=30)
    await asyncio.sleep(5)  # the second process asks for the lock twice meanwhile
    assert fake.poll_conflicts == 0  # never two pollers at once
    assert not any(POLLS in line for line in second.log)

    assert first.process is not None
    first.process.send_signal(signal.SIGKILL)
    await first.process.wait()
    fake.user_sends(camille, "oui")
    await second.said(POLLS, within=30)
    await fake.wait_for(  # consent taken, the first question asked: the new poller answers
        lambda: any("Comment vous déplacez-vous" in m["text"] for m in fake.messages_to(camille)),
        within=30,
    )
    # The killed process's long poll, left waiting at the fake, is the only one cut.
    assert fake.poll_conflicts <= 1
