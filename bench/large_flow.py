"""Per-message cost with the largest flow validation accepts (flows/limits.py):
MAX_QUESTIONS questions, choice questions of MAX_CHOICES choices with synonyms in
two languages, and on every question a `when` of MAX_CONDITION_TERMS comparisons
nested MAX_CONDITION_DEPTH deep. Residents go through it all on the real
conversation service (SQLite by default); prints the flow's parse time (paid once
per flow version and process) and message latency percentiles. Target: p99 per
message <= 25 ms, residents one after another (`--concurrent`: all at once, the
latency then includes waiting for the others).

    python bench/large_flow.py --residents 10 [--concurrent] [--database-url URL] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path

from bot.client import Client
from bot.config import load_settings
from bot.startup import open_service
from flows.limits import MAX_CHOICES, MAX_CONDITION_DEPTH, MAX_CONDITION_TERMS, MAX_QUESTIONS
from flows.loader import parse_flow


def largest_flow() -> str:
    """The YAML of a flow at every limit, each question asked (its `when` holds)."""
    lines = [
        "id: largest",
        "title: {fr: La plus grande, en: The largest}",
        "languages: [fr, en]",
        "consent: {fr: Acceptez-vous ?, en: Do you agree?}",
        "questions:",
    ]
    for index in range(MAX_QUESTIONS):
        kind = "choice" if index % 2 == 0 else "yes_no"
        lines += [
            f"  - id: q{index}",
            f"    type: {kind}",
            f"    text: {{fr: Question numéro {index} ?, en: Question number {index}?}}",
        ]
        if kind == "choice":
            lines.append("    choices:")
            lines += [
                f"      - {{id: c{n}, label: {{fr: Réponse {n}, en: Answer {n}}},"
                f" synonyms: {{fr: [mot{n}a, mot{n}b], en: [word{n}a, word{n}b]}}}}"
                for n in range(MAX_CHOICES)
            ]
        if index > 0:
            lines += _when(index)
    lines.append("outro: {fr: Merci !, en: Thank you!}")
    return "\n".join(lines) + "\n"


def _when(index: int) -> list[str]:
    """any > all > any > not: MAX_CONDITION_DEPTH levels, MAX_CONDITION_TERMS terms."""
    assert MAX_CONDITION_DEPTH == 4
    earlier = [f"q{k % index}" for k in range(MAX_CONDITION_TERMS - 1)]
    pad = " " * 14
    return [
        "    when:",
        "      any:",
        "        - all:",
        "            - any:",
        f"{pad}- not: {{q{index - 1}: answered}}",
        *(f"{pad}- {{{question}: answered}}" for question in earlier),
    ]


async def run(args: argparse.Namespace) -> dict[str, float]:
    text = largest_flow()
    started = time.perf_counter()
    flow = parse_flow(text, "largest.yml")
    parse_ms = (time.perf_counter() - started) * 1000
    answers = ["Réponse 17" if question.type == "choice" else "oui" for question in flow.questions]
    with tempfile.TemporaryDirectory() as folder:
        flows_dir = Path(folder) / "flows"
        flows_dir.mkdir()
        (flows_dir / "largest.yml").write_text(text, encoding="utf-8")
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        settings = load_settings(
            environ={
                "CONSULTBOT_DATABASE_URL": url,
                "CONSULTBOT_SECRET_KEY": "b" * 32,
                "CONSULTBOT_FLOWS_DIR": str(flows_dir),
                "CONSULTBOT_DEFAULT_CONSULTATION": "largest",
            }
        )
        service = await open_service(settings)
        client = Client(service, now=lambda: dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC))
        latencies: list[float] = []
        first: list[float] = []
        completed = 0

        async def resident(name: str) -> None:
            nonlocal completed
            replies = []
            for text in ["bonjour", "oui", *answers, None]:
                if text is None:  # a flow this long ends with the review: send it as shown
                    text = replies[-1].buttons[0].payload
                start = time.perf_counter()
                replies = await client.send(name, text)
                (latencies if first else first).append(time.perf_counter() - start)
            completed += replies[-1].text.startswith("Merci")

        await resident("warm-up")  # the first message parses the deployed flow once
        completed = 0  # of the residents measured
        started = time.perf_counter()
        if args.concurrent:  # latency then includes waiting for the others
            await asyncio.gather(*(resident(f"r{i}") for i in range(args.residents)))
        else:  # one message at a time: the work of each message
            for i in range(args.residents):
                await resident(f"r{i}")
        elapsed = time.perf_counter() - started
        await service.close()
    latencies.sort()
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "questions": len(flow.questions),
        "flow_bytes": len(text.encode()),
        "parse_ms": round(parse_ms, 1),
        "first_message_ms": round(first[0] * 1000, 1),
        "messages": len(latencies),
        "messages_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(quantiles[49] * 1000, 2),
        "p99_ms": round(quantiles[98] * 1000, 2),
        "max_ms": round(latencies[-1] * 1000, 2),
        "completed": completed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=10)
    parser.add_argument("--concurrent", action="store_true", help="residents at once")
    parser.add_argument("--database-url")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>17}: {value}")


if __name__ == "__main__":
    main()
