"""Throughput of the storage side of one inbound message, as the conversation
service does it: participant, dedupe claim and open session as the message is
opened (storage.message_open), the session state, two transcript lines, an
answer (superseding the previous one from the ninth message on), the replies
kept for redelivery; one transaction per message. On PostgreSQL the message is
opened with nothing begun, as the service does (2 round trips; work that needs
more is done again in a transaction); `--in-transaction` opens it in a
transaction begun at once, locking the participant and the session and
claiming the message id in one PL/pgSQL call (4 round trips), to compare.

    PYTHONPATH=. python bench/storage_hot_path.py [--url URL] [--residents 50] [--messages 40]
    PYTHONPATH=. python bench/storage_hot_path.py --url postgresql+asyncpg://... --in-transaction

Default URL: a fresh SQLite file in a temporary folder. Give --url an empty
database: on one that holds an earlier run, every message is a redelivery
(the same ids), which writes nothing. Prints messages/s, the
CPU time per message of this process and, for a PostgreSQL server on this
machine, of PostgreSQL, and latency percentiles; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from postgres_cpu import LocalPostgres  # bench/, this script's folder

from storage import (
    answers,
    consultations,
    inbound,
    message_open,
    participants,
    sessions,
    transcripts,
)
from storage.database import Database
from storage.errors import TransactionNeeded
from storage.models import Direction
from storage.transcripts import TranscriptLine

START = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
STATE = {"flow": "mobilite", "position": 3, "language": "fr", "answers": {"mode": "car"}}
REPLIES = [{"text": "De 1 à 5, êtes-vous satisfait ?", "buttons": [{"title": "1", "payload": "1"}]}]


async def message(db: Database, resident: int, n: int, version_id: int, optimistic: bool) -> float:
    """One message, as the service tries it: with nothing begun first, then,
    for work that needs more, again in a transaction."""
    begun = time.perf_counter()
    if optimistic:
        try:
            await _message(db, resident, n, version_id, optimistic=True)
            return time.perf_counter() - begun
        except TransactionNeeded:
            pass  # nothing of it was written
    await _message(db, resident, n, version_id, optimistic=False)
    return time.perf_counter() - begun


async def _message(db: Database, resident: int, n: int, version_id: int, optimistic: bool) -> None:
    now = START + dt.timedelta(seconds=n)
    user_hash = f"{resident:064x}"
    async with db.transaction(optimistic=optimistic) as s:
        opened = await message_open.open_message(s, "client", user_hash, f"m{n}", now=now)
        if opened.participant is None:  # their first message: enrolled, then opened
            await participants.create(s, "client", user_hash, now=now, consented_at=now)
            opened = await message_open.open_message(s, "client", user_hash, f"m{n}", now=now)
        participant, claim = opened.participant, opened.claim
        assert participant is not None
        assert claim is not None
        if not claim.is_new:
            return
        current = opened.session
        if current is None:
            current = await sessions.create(s, participant.id, version_id, STATE, now=now)
        # In the service's order: the session's state first (on PostgreSQL, with
        # nothing begun, its UPDATE guards the writes after it).
        await sessions.save(s, current.id, now=now, state=STATE)
        await transcripts.append(
            s,
            current.id,
            [
                TranscriptLine(Direction.IN, "3", now, None, f"m{n}", {"answer": 3}),
                TranscriptLine(Direction.OUT, REPLIES[0]["text"], now, REPLIES[0]["buttons"]),
            ],
        )
        await answers.add(  # as the service does: nothing reads the answer's id
            s,
            current.id,
            f"q{n % 8}",
            3,
            question_text="De 1 à 5, êtes-vous satisfait ?",
            language="fr",
            now=now,
            raw_text="3",
            replaces=n >= 8,  # the service knows when there is none to replace
        )
        if claim.id is None:  # opened with nothing begun: claimed with its replies
            await inbound.claim_with_replies(s, "client", user_hash, f"m{n}", REPLIES, now=now)
        else:
            await inbound.store_replies(s, claim.id, REPLIES)


async def resident_run(
    db: Database, resident: int, messages: int, version_id: int, optimistic: bool
) -> list[float]:
    return [await message(db, resident, n, version_id, optimistic) for n in range(messages)]


async def main(url: str, residents: int, messages: int, optimistic: bool) -> None:
    db = await Database.connect(url, pool_size=20)
    try:
        await db.upgrade()
        async with db.transaction() as s:
            deployment = await consultations.deploy(
                s, "mobilite", "id: mobilite\n", deployed_by="bench", now=START
            )
        version_id = deployment.version.id
        postgres = await LocalPostgres.of(url) if db.backend == "postgresql" else None
        database_begun = postgres.cpu_seconds() if postgres is not None else 0.0
        begun, cpu_begun = time.perf_counter(), time.process_time()
        runs = await asyncio.gather(
            *(resident_run(db, r, messages, version_id, optimistic) for r in range(residents))
        )
        elapsed = time.perf_counter() - begun
        cpu = time.process_time() - cpu_begun
        database_cpu = postgres.cpu_seconds() - database_begun if postgres is not None else None
    finally:
        await db.close()
    latencies = sorted(x for run in runs for x in run)
    total = len(latencies)
    print(f"backend: {db.backend}  residents: {residents}  messages: {total}")
    print(f"throughput: {total / elapsed:,.0f} messages/s ({elapsed:.2f} s)")
    # CPU time of this process: what the figure would be with a core to itself.
    print(
        f"cpu: {cpu / total * 1e6:,.0f} us per message ({total / cpu:,.0f} messages per cpu-second)"
    )
    if database_cpu is not None:  # PostgreSQL on this machine: its own processes
        print(f"PostgreSQL cpu: {database_cpu / total * 1e6:,.0f} us per message")
    median = statistics.median(latencies) * 1000
    p95, p99 = (latencies[int(total * q)] * 1000 for q in (0.95, 0.99))
    print(f"latency ms: median {median:.2f}  p95 {p95:.2f}  p99 {p99:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None, help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--messages", type=int, default=40, help="per resident")
    parser.add_argument(
        "--in-transaction",
        action="store_true",
        help="begin each message's transaction at once (PostgreSQL; SQLite always does)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        asyncio.run(main(url, args.residents, args.messages, not args.in_transaction))
