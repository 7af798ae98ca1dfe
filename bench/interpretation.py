"""Answer-understanding benchmark: prints figures, asserts nothing.

    PYTHONPATH=. python bench/interpretation.py [FILE.jsonl] [--rounds N]

Prints the interpreter's construction time, the time per case over the
evaluation file (wall clock and CPU, median and 99th percentile, per kind), and
the time to interpret or redact 100 KB messages.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.cli.nlu import load_cases  # noqa: E402
from nlu import Interpreter, QuestionSpec  # noqa: E402
from nlu.evaluation import REFERENCE_DAY  # noqa: E402
from nlu.redaction import redact  # noqa: E402

DEV_SET = ROOT / "tests" / "nlu" / "data" / "nlu_dev.jsonl"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?", type=Path, default=DEV_SET)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    started = time.perf_counter()
    interpreter = Interpreter()
    print(f"construction (data + training): {time.perf_counter() - started:.3f} s")

    cases = load_cases(args.file)
    wall: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for case in cases:
            t0, c0 = time.perf_counter(), time.thread_time()
            interpreter.interpret(case.text, case.question, case.lang, REFERENCE_DAY)
            cpu.setdefault(case.question.kind, []).append((time.thread_time() - c0) * 1000)
            wall.setdefault(case.question.kind, []).append((time.perf_counter() - t0) * 1000)
    every_wall = [t for times in wall.values() for t in times]
    every_cpu = [t for times in cpu.values() for t in times]
    print(f"{len(cases)} cases x {args.rounds} rounds, ms per case (wall | cpu):")
    print(
        f"  {'all':<13} p50 {statistics.median(every_wall):6.3f} | "
        f"{statistics.median(every_cpu):6.3f}   p99 {percentile(every_wall, 0.99):6.3f} | "
        f"{percentile(every_cpu, 0.99):6.3f}"
    )
    for kind in sorted(wall):
        print(
            f"  {kind:<13} p50 {statistics.median(wall[kind]):6.3f} | "
            f"{statistics.median(cpu[kind]):6.3f}   p99 {percentile(wall[kind], 0.99):6.3f} | "
            f"{percentile(cpu[kind], 0.99):6.3f}"
        )

    big = {"letters": "a" * 100_000, "digits": "1 " * 50_000, "words": "oui non " * 12_500}
    print("100 KB messages, ms:")
    for kind in ("yes_no", "number", "commune", "date", "free_text"):
        question = QuestionSpec(kind, min=0, max=10)  # type: ignore[arg-type]
        for name, text in big.items():
            t0 = time.perf_counter()
            interpreter.interpret(text, question, "fr", REFERENCE_DAY)
            print(f"  interpret {kind:<10} {name:<8} {(time.perf_counter() - t0) * 1000:8.2f}")
    for name, text in {**big, "addresses": "12 rue Haute. " * 7_700}.items():
        t0 = time.perf_counter()
        redact(text)
        print(f"  redact    {name:<19} {(time.perf_counter() - t0) * 1000:8.2f}")


if __name__ == "__main__":
    main()
