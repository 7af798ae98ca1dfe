"""Time and peak memory of `consultbot export` (target: 100,000 contributions
in <= 10 s, memory flat: the same peak for 10,000 as for 100,000).

    python bench/export.py [--contributions 100000] [--small 10000] [--formats csv,xlsx]
        [--database-url URL]

Makes a fresh SQLite database in a temporary folder (or uses the given one,
which must be empty, e.g. a PostgreSQL database just created), deploys a consultation
whose flow maps Decidim proposals, stores `--small` contributions (five answers
each, half with an approved free text), runs each export as a separate
`consultbot export ... --out FILE` process and reads its wall time and peak
RSS (wait4); then stores the rest up to `--contributions` and does it again.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from storage import consultations  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.models import AnswerRow, ContributionRow, ParticipantRow, SessionRow  # noqa: E402

SECRET = "bench-secret-key-0123456789abcdef"
FLOW = """\
id: velo
title: {fr: Le vélo dans la région, en: Cycling in the region}
languages: [fr, en]
consent: {fr: D'accord ?, en: Agreed?}
questions:
  - id: mode
    type: choice
    text: {fr: Comment venez-vous ?, en: How do you come?}
    choices:
      - {id: bike, label: {fr: Vélo, en: Bike}}
      - {id: car, label: {fr: Voiture, en: Car}}
  - id: area
    type: choice
    text: {fr: Où ?, en: Where?}
    choices:
      - {id: north, label: {fr: Nord, en: North}}
      - {id: south, label: {fr: Sud, en: South}}
  - id: score
    type: scale
    min: 1
    max: 5
    text: {fr: Note ?, en: Score?}
  - {id: postal_code, type: postal_code, text: {fr: Code postal ?, en: Postal code?}}
  - {id: idea, type: free_text, optional: true, text: {fr: Votre idée ?, en: Your idea?}}
outro: {fr: Merci, en: Thanks}
export:
  decidim:
    body: idea
    title: {fr: "Vélo : {mode}", en: "Cycling: {mode}"}
    scope: {question: area, ids: {north: 11, south: 12}}
"""
IDEA = "Des pistes cyclables continues entre les communes, et des arceaux près des gares."
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
CHUNK = 5000


async def seed(database: Database, version_id: int, start: int, stop: int) -> None:
    for first in range(start, stop, CHUNK):
        numbers = range(first, min(first + CHUNK, stop))
        people: list[dict[str, Any]] = []
        sessions: list[dict[str, Any]] = []
        answers: list[dict[str, Any]] = []
        made: list[dict[str, Any]] = []
        for n in numbers:
            key = n + 1
            people.append(
                {"id": key, "channel": "web", "user_hash": f"{n:064x}", "created_at": NOW}
            )
            sessions.append(
                {"id": key, "participant_id": key, "flow_version_id": version_id, "state": {},
                 "status": "completed", "created_at": NOW, "updated_at": NOW,
                 "last_activity_at": NOW}
            )  # fmt: skip
            values: list[tuple[str, Any]] = [
                ("mode", "bike" if n % 2 else "car"),
                ("area", "north" if n % 3 else "south"),
                ("score", n % 5 + 1),
                ("postal_code", "45000"),
            ]
            for question, value in values:
                answers.append(
                    {"session_id": key, "question_id": question, "value": value,
                     "question_text": question, "language": "fr", "answered_at": NOW,
                     "moderation_status": None, "redacted_text": None, "raw_text": None}
                )  # fmt: skip
            if n % 2 == 0:
                answers.append(
                    {"session_id": key, "question_id": "idea", "value": IDEA,
                     "question_text": "Votre idée ?", "language": "fr", "answered_at": NOW,
                     "moderation_status": "approved", "redacted_text": IDEA, "raw_text": IDEA}
                )  # fmt: skip
            made.append(
                {"session_id": key, "consultation_id": "velo", "flow_version_id": version_id,
                 "participant_id": key, "channel": "web", "language": "fr", "partial": False,
                 "pseudonym": f"p{n:031x}", "completed_at": NOW}
            )  # fmt: skip
        async with database.transaction() as s:
            await s.execute(insert(ParticipantRow), people)
            await s.execute(insert(SessionRow), sessions)
            await s.execute(insert(AnswerRow), answers)
            await s.execute(insert(ContributionRow), made)


def run_export(url: str, fmt: str, out: Path) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak RSS (MB) and size (bytes) of one export
    process (CPU time tells apart a slow export from a busy machine)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULTBOT_")}
    env.update(CONSULTBOT_DATABASE_URL=url, CONSULTBOT_SECRET_KEY=SECRET, PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "export", "velo", "--format", fmt, "--out", str(out)],
        env=env,
        cwd=out.parent,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    assert process.stderr is not None
    err = process.stderr.read().decode()
    if status != 0:
        raise SystemExit(f"export {fmt} failed: {err}")
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, cpu, usage.ru_maxrss / 1024, out.stat().st_size


async def main(total: int, small: int, formats: list[str], database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        database = await Database.connect(url)
        try:
            await database.upgrade()
            async with database.transaction() as s:
                deployed = await consultations.deploy(s, "velo", FLOW, deployed_by="bench", now=NOW)
            version_id = deployed.version.id
            done = 0
            for count in (small, total):
                await seed(database, version_id, done, count)
                done = count
                for fmt in formats:
                    suffix = {"decidim": "csv"}.get(fmt, fmt)
                    out = Path(folder) / f"export-{count}.{fmt}.{suffix}"
                    seconds, cpu, rss, size = run_export(url, fmt, out)
                    out.unlink()
                    print(
                        f"{fmt:8} {count:>7,} contributions: {seconds:5.2f} s "
                        f"({count / seconds:,.0f}/s; CPU {cpu:5.2f} s), peak RSS {rss:6.1f} MB, "
                        f"file {size / 1e6:.1f} MB",
                        flush=True,
                    )
        finally:
            await database.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--contributions", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--formats", default="csv,jsonl,xlsx,decidim")
    parser.add_argument("--database-url", help="an empty database (default: SQLite, temporary)")
    args = parser.parse_args()
    asyncio.run(main(args.contributions, args.small, args.formats.split(","), args.database_url))
