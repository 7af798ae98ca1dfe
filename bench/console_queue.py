"""The console's review queue with 100,000 pending answers: time to serve a
queue page (real HTTP, signed in, templates rendered), unfiltered and with
each filter, and time to approve an answer (the storage transaction, and the
whole POST).

    PYTHONPATH=. python bench/console_queue.py [--database-url URL] [--answers N] [--requests N]
    PYTHONPATH=. python bench/console_queue.py \
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench_queue

Default URL: a fresh SQLite file in a temporary folder. A PostgreSQL URL must
name an empty database (it is migrated here; `createdb bench_queue` first).
Prints p50/p95 per page kind, with two measures the machine's load does not
change: the CPU time of this process per request (server and client: the
server runs in it; on SQLite the database's work too, on PostgreSQL not the
server's) and the database transactions begun per request; targets: queue page
p95 <= 100 ms, approve <= 20 ms. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
from sqlalchemy import Connection, event, insert, text
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.console.accounts import Accounts
from bot.console.totp import TotpCipher
from bot.keys import Keys
from storage import consultations, moderation
from storage.database import Database
from storage.models import AnswerRow, ConsoleRole, ParticipantRow, SessionRow
from tests.serving import running

START = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
PASSWORD = "bench password, long enough"
WORDS = ("bus", "train", "vélo", "tram", "parking", "horaires", "prix", "retard", "gare", "route")
BATCH = 5000
BEGUN = [0]  # transactions begun, by any engine of this process


@event.listens_for(Engine, "begin")
def _begun(_: Connection) -> None:
    BEGUN[0] += 1


def _text(n: int) -> str:
    rng = random.Random(n)
    words = " ".join(rng.choice(WORDS) for _ in range(12))
    if n % 10 == 0:
        return f"{words}, appelez-moi au 06 12 34 {n % 100:02d} 78"
    return words


async def seed(db: Database, count: int) -> None:
    async with db.transaction() as s:
        deployment = await consultations.deploy(
            s, "mobilite", "id: mobilite\nquestions: []\n", deployed_by="bench", now=START
        )
        version_id = deployment.version.id
    residents = max(1, count // 10)
    for first in range(0, residents, BATCH):
        async with db.transaction() as s:
            await s.execute(
                insert(ParticipantRow),
                [
                    {
                        "id": i + 1,
                        "channel": ("telegram", "webchat", "rest")[i % 3],
                        "user_hash": f"{i:064x}",
                        "created_at": START,
                    }
                    for i in range(first, min(residents, first + BATCH))
                ],
            )
            await s.execute(
                insert(SessionRow),
                [
                    {
                        "id": i + 1,
                        "participant_id": i + 1,
                        "flow_version_id": version_id,
                        "state": {},
                        "status": "completed",
                        "created_at": START,
                        "updated_at": START,
                        "last_activity_at": START,
                    }
                    for i in range(first, min(residents, first + BATCH))
                ],
            )
    for first in range(0, count, BATCH):
        async with db.transaction() as s:
            await s.execute(
                insert(AnswerRow),
                [
                    {
                        "session_id": n % residents + 1,
                        "question_id": f"q{n // residents}",
                        "value": _text(n),
                        "raw_text": _text(n),
                        "question_text": "Qu'est-ce qui ne va pas ?",
                        "language": "fr",
                        "answered_at": START + dt.timedelta(seconds=n * 30),
                        "moderation_status": "pending",
                        "personal_data": n % 10 == 0,
                    }
                    for n in range(first, min(count, first + BATCH))
                ],
            )


class Tally:
    """Wall time per request, and the CPU time and transactions of them all."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._cpu = time.process_time()
        self._begun = BEGUN[0]

    def add(self, started: float) -> None:
        self.samples.append(time.perf_counter() - started)

    def __str__(self) -> str:
        ordered = sorted(self.samples)
        n = len(ordered)
        p95 = ordered[max(0, int(n * 0.95) - 1)]
        cpu = (time.process_time() - self._cpu) / n
        return (
            f"p50 {statistics.median(ordered) * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms  "
            f"max {ordered[-1] * 1000:6.1f} ms  CPU {cpu * 1000:5.1f} ms  "
            f"{(BEGUN[0] - self._begun) / n:.1f} transactions  (n={n})"
        )


async def bench(url: str, count: int, requests: int) -> None:
    db = await Database.connect(url)
    await db.upgrade()
    begun = time.perf_counter()
    await seed(db, count)
    async with db.engine.begin() as connection:  # statistics, as autovacuum would gather
        await connection.execute(text("ANALYZE"))
    print(f"{db.backend}: seeded {count} pending answers in {time.perf_counter() - begun:.1f} s")
    settings = Settings.model_validate(
        {"database_url": url, "secret_key": "a bench key, not a secret at all"}
    )
    accounts = Accounts(db, settings, TotpCipher(Keys.from_settings(settings)))
    link = await accounts.add("bench@region.fr", ConsoleRole.MODERATOR, by="bench")
    await accounts.set_password(link.url.rsplit("/", 1)[1], PASSWORD)
    async with running(settings) as (base, _app):
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            async with http.get(f"{base}/console/login") as page:
                token = re.search(r'name="csrf" value="([^"]+)"', await page.text())
            assert token is not None
            async with http.post(
                f"{base}/console/login",
                data={"csrf": token.group(1), "email": "bench@region.fr", "password": PASSWORD},
            ) as signed:
                html = await signed.text()
            csrf = re.search(r'name="csrf" value="([^"]+)"', html)
            assert csrf is not None
            rng = random.Random(1)
            kinds = {
                "first page": lambda: "",
                "cursor page": lambda: f"after={rng.randrange(count)}",
                "consultation": lambda: "consultation=mobilite",
                "channel": lambda: "channel=telegram",
                "personal data": lambda: "pd=1",
                "date range": lambda: "from=2026-06-10&to=2026-06-20",
                "text search": lambda: f"q={rng.choice(WORDS)}",
                "question": lambda: "question=q3",
            }
            for kind, query in kinds.items():
                tally = Tally()
                for _ in range(max(10, requests // len(kinds))):
                    started = time.perf_counter()
                    async with http.get(f"{base}/console/queue?{query()}") as response:
                        body = await response.read()
                        assert response.status == 200, body[:200]
                    tally.add(started)
                print(f"queue page, {kind:14s} {tally}")

            tally = Tally()
            for answer_id in range(1, requests + 1):
                started = time.perf_counter()
                async with db.transaction() as s:
                    decision = await moderation.approve(
                        s, answer_id, by="bench@region.fr", now=dt.datetime.now(dt.UTC)
                    )
                tally.add(started)
                assert decision.applied
            print(f"approve (storage transaction) {tally}")
            tally = Tally()
            for answer_id in range(requests + 1, 2 * requests + 1):
                started = time.perf_counter()
                async with http.post(
                    f"{base}/console/answers/{answer_id}/approve",
                    data={"csrf": csrf.group(1), "back": "/console/queue"},
                    allow_redirects=False,
                ) as response:
                    assert response.status == 303, await response.text()
                tally.add(started)
            print(f"approve (HTTP POST)           {tally}")
    await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        "--url",
        dest="url",
        help="database URL (default: a fresh SQLite file); PostgreSQL: an empty database",
    )
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        asyncio.run(bench(url, args.answers, args.requests))


if __name__ == "__main__":
    main()
