"""Webhook deliveries per second from one process to a local receiver.

    python bench/webhooks.py [--events 5000] [--database-url URL] [--in-flight N]

Enqueues N events in a fresh SQLite database (or the given one, which must be
empty), adds one endpoint pointing at an aiohttp receiver on loopback that
checks every signature with the `standardwebhooks` library, runs the deliverer
until the receiver has them all, and prints deliveries/s (target: >= 1,000/s)
and the CPU time the deliverer's process spent per delivery.
The receiver runs in a process of its own, as a real one would: the figure is
the deliverer's, not the deliverer's and the receiver's sharing one core.
`--same-process` runs the receiver in the deliverer's event loop instead.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import web
from standardwebhooks import Webhook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.delivery.deliverer import Deliverer  # noqa: E402
from bot.delivery.secrets import WebhookSecrets  # noqa: E402
from bot.keys import Keys  # noqa: E402
from bot.pseudonyms import Pseudonymizer  # noqa: E402
from storage import outbox, webhooks  # noqa: E402
from storage.commit_order import START  # noqa: E402
from storage.database import Database  # noqa: E402

KEY = b"bench-secret-key-0123456789abcdef"


def serve_receiver(secret: str, events: int, port_out: multiprocessing.Queue[int]) -> None:
    """The receiver in a process of its own, until every event came."""

    async def run() -> None:
        await (await start_receiver(secret, events, port_out))

    asyncio.run(run())


async def main(events: int, database_url: str, same_process: bool, in_flight: int) -> None:
    database = await Database.connect(database_url)
    await database.upgrade()
    now = dt.datetime.now(dt.UTC)
    async with database.transaction() as s:
        for n in range(events):
            payload = {"consultation_id": "bench", "version": n, "title": "Bench"}
            await outbox.enqueue(s, "consultation.deployed", payload, now=now)
    sealer = WebhookSecrets(KEY)
    secret = sealer.new()
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    receiver = multiprocessing.Process(
        target=serve_receiver, args=(secret, events, ports), daemon=True
    )
    receiver_done = None
    if same_process:
        receiver_done = await start_receiver(secret, events, ports)
    else:
        receiver.start()
    port = await asyncio.to_thread(ports.get)
    async with database.transaction() as s:
        await webhooks.add(
            s,
            f"http://127.0.0.1:{port}/hook",
            ["consultation.deployed"],
            sealer.seal(secret),
            start=START,
            now=now,
        )
    stop = asyncio.Event()
    deliverer = Deliverer(
        database, Pseudonymizer(Keys(KEY)), KEY, poll_interval_s=0.01, in_flight=in_flight
    )
    started, started_cpu = time.perf_counter(), time.process_time()
    task = asyncio.create_task(deliverer.run(stop))
    if receiver_done is not None:
        await receiver_done
    else:
        await asyncio.to_thread(receiver.join)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - started_cpu
    stop.set()
    await task
    await database.close()
    where = "in the same process" if same_process else "in its own process"
    print(
        f"{events} webhook deliveries in {elapsed:.2f} s: {events / elapsed:,.0f} deliveries/s "
        f"(receiver {where}, {in_flight} in flight); CPU of the deliverer's process "
        f"{cpu / events * 1e6:.0f} µs a delivery"
    )


async def start_receiver(
    secret: str, events: int, port_out: multiprocessing.Queue[int]
) -> asyncio.Task[None]:
    """An aiohttp receiver on loopback that verifies each signature and dedupes;
    its port goes to `port_out`; the task ends once every event came."""
    received: set[str] = set()
    done = asyncio.Event()
    verifier = Webhook(secret)

    async def receive(request: web.Request) -> web.Response:
        verifier.verify(await request.text(), dict(request.headers))
        received.add(request.headers["webhook-id"])
        if len(received) >= events:
            done.set()
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port_out.put(runner.addresses[0][1])

    async def finish() -> None:
        await done.wait()
        await asyncio.sleep(0.1)  # let the last answer leave
        await runner.cleanup()

    return asyncio.create_task(finish())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--database-url")
    parser.add_argument("--same-process", action="store_true")
    parser.add_argument("--in-flight", type=int, default=1, help="delivery.in_flight")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        asyncio.run(main(args.events, url, args.same_process, args.in_flight))
