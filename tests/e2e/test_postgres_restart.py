"""PostgreSQL restarted under load (`pg_ctl stop -m fast`, then `start`, on a
cluster of the test's own: tests.throwaway_postgres), while residents talk to a
real `consultbot serve` over REST:

- residents are asked to send again during the gap (503, Retry-After, the
  "please send it again" text), never given a reply for a message not stored;
- nothing the server acknowledged is lost, nothing is stored twice;
- the server reconnects by itself (the same process serves on), and `/readyz`
  says not ready while the database is away, and ready again after.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import aiohttp

from flows.catalogue import CATALOGUE
from tests.e2e.acknowledged import Ledger, check_nothing_lost, kept, resident
from tests.e2e.test_workers import Serve, start_all, started
from tests.throwaway_postgres import Cluster, throwaway_cluster

__all__ = ["started", "throwaway_cluster"]  # the fixtures, used by name

RESIDENTS = 12
SECRET_KEY = "workers-test-key-0123456789abcdef"  # tests.e2e.test_workers.environment's
RESTART_AFTER = 15  # acknowledged messages (of 72): the restart lands mid-load


class DrainedServe(Serve):
    """A server whose log is read as it comes: an outage logs a line or more per
    message refused, which would fill the pipe and block the server."""

    log = b""

    async def start(self, cwd: Path) -> None:
        await super().start(cwd)
        assert self.process is not None
        self._draining = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        assert self.process is not None
        assert self.process.stderr is not None
        while chunk := await self.process.stderr.read(65536):
            self.log += chunk

    async def stop(self) -> tuple[int, str]:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), 120)
        await self._draining
        return code, self.log.decode()


async def watch_readiness(http: aiohttp.ClientSession, url: str, seen: list[int]) -> None:
    while True:  # cancelled by the test
        try:
            async with http.get(url + "/readyz") as response:
                seen.append(response.status)
        except aiohttp.ClientConnectionError:
            seen.append(0)  # the server itself stopped answering: it must not
        await asyncio.sleep(0.05)


async def test_postgres_restarted_under_load_loses_nothing_and_the_server_reconnects(
    throwaway_cluster: Cluster, tmp_path: Path, started: list[Serve]
):
    cluster = throwaway_cluster
    served = DrainedServe(cluster.url)
    started.append(served)
    await start_all(started, tmp_path)
    ledger = Ledger()
    names = [f"resident-{i}" for i in range(RESIDENTS)]
    readiness: list[int] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
        watching = asyncio.create_task(watch_readiness(http, served.url, readiness))
        crowd = asyncio.gather(
            *(resident(http, name, served.url, ledger, pause=0.05) for name in names)
        )
        while ledger.count < RESTART_AFTER:
            assert not crowd.done(), "the residents finished before the restart"
            await asyncio.sleep(0.005)
        # The restart in two steps, the gap held open until it was seen from
        # outside: whatever the machine's speed, residents talk during it.
        await asyncio.to_thread(cluster.stop, "fast")
        for _ in range(600):
            if ledger.send_again and 503 in readiness:
                break
            await asyncio.sleep(0.05)
        await asyncio.to_thread(cluster.start)
        outros = await asyncio.wait_for(crowd, 120)
        for _ in range(600):  # ready again by itself
            if readiness[-1] == 200:
                break
            await asyncio.sleep(0.05)
        watching.cancel()
    assert all(outro.startswith("Merci") for outro in outros), outros
    try_again = CATALOGUE.text("service", "try_again", "fr")
    assert ledger.send_again, "nobody was asked to send again: the restart was not felt"
    assert set(ledger.send_again) == {try_again}
    assert 0 not in readiness  # the server stayed up throughout
    assert 503 in readiness  # not ready while the database was away
    assert readiness[-1] == 200
    assert served.process is not None
    assert served.process.returncode is None
    check_nothing_lost(ledger, await kept(cluster.url, SECRET_KEY, names))
    code, err = await served.stop()
    assert code == 0, err
