"""Answer-understanding benchmark: prints figures, asserts nothing.

    PYTHONPATH=. python bench/interpretation.py [FILE.jsonl] [--rounds N]

Prints the interpreter's construction time, the time per case over the
evaluation file (wall clock and CPU, median and 99th percentile, per kind), and
the slowest decision on bad input (4,000 characters of emoji, punctuation, other
scripts, zero-width and right-to-left marks; 200 choices), and the time to
interpret or redact 100 KB messages.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.evaluation import load_cases  # noqa: E402
from nlu import ChoiceOption, Interpreter, QuestionSpec  # noqa: E402
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
    bad_input(interpreter)
    for name, text in {**big, "addresses": "12 rue Haute. " * 7_700}.items():
        t0 = time.perf_counter()
        redact(text)
        print(f"  redact    {name:<19} {(time.perf_counter() - t0) * 1000:8.2f}")


def bad_input(interpreter: Interpreter) -> None:
    """What phones send besides words, on every kind of question: the slowest
    decision (the target is 5 ms)."""
    rng = random.Random(15)
    emoji = "🚗🚆🚲🚌🚶👍👎🤷😀🎉❤️⭐👨‍👩‍👧🇫🇷"
    punctuation = ".,;:!?…()[]{}«»'-_/*#@%&+=<>|~^"
    scripts = "абвгдежзийклмн ابتثجحخدذرزس 日本語中文한국어 ΑΒΓαβγ voiture bus oui non 37000 "
    invisible = "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202e"
    samples = {
        "4,000 chars mixed": "".join(
            rng.choices(emoji + punctuation + scripts + invisible, k=4000)
        ),
        "4,000 chars words": " ".join(rng.choices(scripts.split(), k=700))[:4000],
        "only emoji": "".join(rng.choices(emoji, k=300)),
        "only punctuation": "".join(rng.choices(punctuation, k=2000)),
        "zero-width and RTL": "oui" + invisible * 100 + "\u202eeuqitilop\u202c 37000",
    }
    many = tuple(
        ChoiceOption(f"o{n}", (f"Option numéro {n} du quartier {n % 17}",)) for n in range(200)
    )
    kinds = ("yes_no", "choice", "multi_choice", "number", "scale", "free_text", "postal_code",
             "commune", "date")  # fmt: skip
    questions = [
        QuestionSpec(
            kind,  # type: ignore[arg-type]
            choices=many if kind in ("choice", "multi_choice") else (),
            min=0,
            max=10,
        )
        for kind in kinds
    ]
    # A question's first message builds what reads its options (once per
    # question and process): timed apart, as it is not a decision's time.
    # CPU time besides: on a shared machine the wall clock mostly waits for a core.
    first, first_cpu = 0.0, 0.0
    for question in questions:
        for lang in ("fr", "en"):
            t0, c0 = time.perf_counter(), time.thread_time()
            interpreter.interpret("bonjour", question, lang, REFERENCE_DAY)
            first_cpu = max(first_cpu, (time.thread_time() - c0) * 1000)
            first = max(first, (time.perf_counter() - t0) * 1000)
    print(
        "first message to a question (200 choices: its options indexed), ms: "
        f"{first:.2f} (CPU {first_cpu:.2f})"
    )
    print("bad input, slowest decision over all kinds (and 200 choices), ms:")
    for name, text in samples.items():
        slowest = 0.0
        for question in questions:
            for lang in ("fr", "en"):
                t0 = time.perf_counter()
                interpreter.interpret(text, question, lang, REFERENCE_DAY)
                slowest = max(slowest, (time.perf_counter() - t0) * 1000)
        print(f"  {name:<20} {slowest:8.2f}")


if __name__ == "__main__":
    main()
