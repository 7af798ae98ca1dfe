"""The results page of a consultation with 1,000,000 answers from 100,000
residents: time to gather every figure the page shows (the same functions the
page's handler calls: the filters' choices, progress, funnel, answers per
question, approved texts and their words, small figures hidden), unfiltered
and with filters, and the CPU time per page: of this process (the database's own on SQLite),
and on PostgreSQL of the server's backend and its parallel workers.

    PYTHONPATH=. python bench/results.py [--url URL] [--residents 100000] [--runs 5]

Default URL: a fresh SQLite file in a temporary folder. A PostgreSQL URL must
name an empty database (it is migrated here). The data is written with bulk
inserts: the lycées flow (every question type), ten answers per resident,
85 % completed. Prints the median and worst of `--runs` runs per filter;
targets: <= 1 s on PostgreSQL, <= 2 s on SQLite. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from bot.console.results_pages import gather, read_filter, versions_of
from bot.deployment import BUNDLED_FLOWS, deploy_file
from storage.database import Database
from storage.departements import departement_of
from storage.models import AnswerRow, ParticipantRow, SessionRow
from storage.results import choices

START = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
BATCH = 5000
ROLES = ("student", "parent", "staff", "resident", "other")
MODES = ("bus", "car", "bike", "walk", "train")
PRIORITIES = ("canteen", "boarding", "digital", "buildings", "sport")
POSTAL = ("45000", "37000", "41000", "18000", "36000", "28000", "45100", "37100")
COMMUNES = ("45234", "37261", "41018", "18033", "36044", "28085")
WORDS = ("cantine", "internat", "bus", "horaires", "chauffage", "fenêtres", "repas", "sport")
SOURCES = (None, None, "gare-tours", "lycee-blois", "mairie-bourges")
FILTERS: tuple[dict[str, str], ...] = (
    {},
    {"channel": "telegram"},
    {"departement": "45"},
    {"source": "gare-tours", "since": "2026-09-15"},
)


def _answers(n: int, rng: random.Random) -> list[tuple[str, Any]]:
    return [
        ("role", rng.choice(ROLES)),
        ("postal_code", rng.choice(POSTAL)),
        ("school_commune", rng.choice(COMMUNES)),
        ("travel_minutes", rng.randint(0, 240)),
        ("travel_modes", rng.sample(MODES, rng.randint(1, 3))),
        ("buildings", rng.randint(1, 5)),
        ("priorities", rng.sample(PRIORITIES, rng.randint(1, 2))),
        ("local_food", rng.random() < 0.7),
        ("meeting", rng.random() < 0.3),
        ("other_ideas", " ".join(rng.choice(WORDS) for _ in range(8)) + f" {n}"),
    ]


async def seed(db: Database, residents: int) -> None:
    deployed = await deploy_file(db, BUNDLED_FLOWS / "lycees.yml", now=START, deployed_by="bench")
    async with db.transaction() as s:
        version_id = await s.scalar(
            text("SELECT id FROM flow_versions WHERE consultation_id = 'lycees' AND live")
        )
    del deployed
    rng = random.Random(14)
    for first in range(0, residents, BATCH):
        people, runs, said = [], [], []
        for n in range(first, min(residents, first + BATCH)):
            at = START + dt.timedelta(seconds=n * 25)
            people.append(
                {
                    "id": n + 1,
                    "channel": "telegram" if n % 3 else "web",
                    "user_hash": f"{n:064x}",
                    "language": "fr",
                    "consented_at": at,
                    "created_at": at,
                }
            )
            completed = rng.random() < 0.85
            given = _answers(n, rng)
            # As the engine writes it (flows.state), answers and history included.
            state = {
                "version": 1,
                "language": "fr" if n % 10 else "en",
                "status": "completed" if completed else "active",
                "question_id": None if completed else "other_ideas",
                "answers": [[q, v] for q, v in given],
                "skipped": [] if n % 4 else ["home_commune"],
                "passed_over": ["home_commune", "renovation", "meeting_date"],
                "history": [q for q, _ in given],
                "retries": 0,
                "human_requested": False,
                "before_delete": None,
                "pending": None,
            }
            runs.append(
                {
                    "id": n + 1,
                    "participant_id": n + 1,
                    "flow_version_id": version_id,
                    "state": state,
                    "status": "completed" if completed else rng.choice(("active", "paused")),
                    "created_at": at,
                    "updated_at": at,
                    "last_activity_at": at,
                    "source": SOURCES[n % len(SOURCES)],
                    # As storage.sessions copies them from the state.
                    "language": state["language"],
                    "question_id": state["question_id"],
                    "skipped": state["skipped"],
                    # As bot.places reads it: the first place answered, the postal code.
                    "departement": departement_of(str(given[1][1])),
                }
            )
            for question, value in given:
                free = question == "other_ideas"
                said.append(
                    {
                        "session_id": n + 1,
                        "question_id": question,
                        "value": value,
                        "raw_text": value if free else None,
                        "question_text": question,
                        "language": "fr",
                        "answered_at": at,
                        "moderation_status": (
                            rng.choice(("approved", "pending", "rejected")) if free else None
                        ),
                    }
                )
        async with db.transaction() as s:
            await s.execute(insert(ParticipantRow), people)
            await s.execute(insert(SessionRow), runs)
            await s.execute(insert(AnswerRow), said)
    async with db.transaction() as s:
        completed = [
            {"session_id": n + 1, "at": START + dt.timedelta(seconds=n * 25 + 300 + n % 400)}
            for n in range(residents)
        ]
        for chunk in range(0, len(completed), BATCH):
            await s.execute(
                text(
                    "INSERT INTO contributions (session_id, consultation_id, flow_version_id, "
                    "participant_id, channel, language, partial, pseudonym, completed_at, txid) "
                    "SELECT s.id, 'lycees', s.flow_version_id, s.participant_id, 'web', 'fr', "
                    "false, 'p' || s.id, :at, 0 FROM sessions s "
                    "WHERE s.id = :session_id AND s.status = 'completed'"
                ).bindparams(),
                completed[chunk : chunk + BATCH],
            )
    if db.engine.dialect.name == "postgresql":
        async with db.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("ANALYZE"))
    else:
        async with db.transaction() as s:
            await s.execute(text("ANALYZE"))


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _server_cpu(backend: int | None) -> float:
    """CPU seconds of a PostgreSQL backend on this machine and of the parallel
    workers its server reaped (the postmaster's children's time); 0 if not local."""
    if backend is None or not Path(f"/proc/{backend}/stat").exists():
        return 0.0
    mine = _stat(backend)
    parent = _stat(int(mine[1]))
    ticks = sum(int(mine[i]) for i in (11, 12)) + sum(int(parent[i]) for i in (13, 14))
    return ticks / os.sysconf("SC_CLK_TCK")


async def measure(db: Database, runs: int, only: int | None = None) -> None:
    for query in FILTERS if only is None else FILTERS[only : only + 1]:
        times, cpu, server = [], [], []
        for _ in range(runs):
            began, began_cpu = time.perf_counter(), time.process_time()
            async with db.read() as s:  # as the page: its filters' choices, then the figures
                backend = None
                if db.backend == "postgresql":
                    backend = await s.scalar(text("SELECT pg_backend_pid()"))
                began_server = _server_cpu(backend)
                versions = await versions_of(s, "lycees")
                await choices(s, "lycees")
                chosen, _ = read_filter("lycees", query)
                _, _, view = await gather(s, versions, chosen)
                server.append(_server_cpu(backend) - began_server)
            times.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
        name = ", ".join(f"{k}={v}" for k, v in query.items()) or "no filter"
        print(
            f"  {name:45} {view.residents:>7} residents  "
            f"median {statistics.median(times):.3f} s  worst {max(times):.3f} s  "
            f"CPU {statistics.median(cpu):.3f} s"
            + (f" + server {statistics.median(server):.3f} s" if backend else "")
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", type=int, help="time only this filter (its number, from 0)")
    parser.add_argument(
        "--reuse", action="store_true", help="the database at --url was seeded by an earlier run"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        db = await Database.connect(url)
        try:
            began = time.perf_counter()
            await db.upgrade()
            if not args.reuse:
                await seed(db, args.residents)
            print(
                f"{db.engine.dialect.name}: {args.residents} residents, "
                f"{args.residents * 10} answers written in {time.perf_counter() - began:.0f} s"
            )
            await measure(db, args.runs, args.only)
        finally:
            await db.close()


if __name__ == "__main__":
    asyncio.run(main())
