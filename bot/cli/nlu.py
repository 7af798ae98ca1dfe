"""`consultbot nlu eval FILE.jsonl` and `consultbot nlu parse TEXT --kind K`.

consultbot nlu eval tests/nlu/data/nlu_dev.jsonl [--json] [--show-failures]

The report gives accuracy, the wrong / confirmation / re-ask rates (see
nlu.evaluation) per kind, language and expected form, and the command figures.
consultbot nlu parse "la deuxième" --kind choice --choices "car:Voiture,bus:Bus"
consultbot nlu parse "vingt-cinq" --kind number --min 0 --max 100 --lang fr
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import UserError
from nlu.question import QUESTION_KINDS

if TYPE_CHECKING:
    from nlu import Interpretation, Interpreter
    from nlu.evaluation import Grouping, Report


class NluInputError(UserError):
    """Bad input to the nlu commands; the message says what to fix."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("nlu", help="answer understanding: evaluate, try one message")
    commands = parser.add_subparsers(dest="nlu_command", required=True, metavar="ACTION")

    evaluate = commands.add_parser("eval", help="score an evaluation file (JSON lines)")
    evaluate.add_argument("file", type=Path, metavar="FILE.jsonl")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.add_argument("--show-failures", action="store_true", help="list failed cases")
    evaluate.add_argument("--region", default=None, help="region code (default: config)")
    evaluate.set_defaults(handler=_eval)

    parse = commands.add_parser("parse", help="interpret one message")
    parse.add_argument("text")
    parse.add_argument("--kind", required=True, choices=QUESTION_KINDS)
    parse.add_argument("--choices", default="", help='options as "id:Label,id:Label"')
    parse.add_argument("--min", type=int, default=None)
    parse.add_argument("--max", type=int, default=None)
    parse.add_argument(
        "--unit", default=None, choices=("minutes", "hours"), help="number: what it counts"
    )
    parse.add_argument("--lang", default="fr", choices=("fr", "en"))
    parse.add_argument("--today", default=None, help="reference day, YYYY-MM-DD (default: today)")
    parse.add_argument("--region", default=None, help="region code (default: config)")
    parse.set_defaults(handler=_parse)


def _interpreter(region: str | None) -> Interpreter:
    """The interpreter `consultbot serve` would build (./config.yml and the
    environment), for another region if asked."""
    from bot.config import load_settings
    from bot.understanding import build_interpreter

    settings = load_settings()
    if region is not None:
        settings = settings.model_copy(update={"region": region})
    return build_interpreter(settings)


def _eval(args: argparse.Namespace) -> int:
    from bot.evaluation import load_cases, score

    cases = load_cases(args.file)
    report = score(_interpreter(args.region), cases)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print(_describe(report))
    if args.show_failures:
        out = sys.stdout
        for outcome in report.outcomes:
            if not outcome.passed:
                case = outcome.case
                print(
                    f"FAIL {case.id} [{case.question.kind}/{case.lang}] {case.text!r}: "
                    f"expected {case.form} {case.expected!r}, got {_show(outcome.got)}",
                    file=out,
                )
    return 0


def _describe(report: Report) -> str:
    rates = report.rates
    lines = [
        f"cases: {report.cases}   accuracy: {report.accuracy:.1%}   wrong: {rates.wrong:.1%}   "
        f"confirmations: {rates.confirmations:.1%}   re-asks: {rates.reasks:.1%}"
    ]
    header = (
        f"  {'':<13} {'cases':>5}  {'accuracy':>8}  {'wrong':>6}  {'confirm':>7}  {'re-ask':>6}"
    )
    groupings: tuple[tuple[str, Grouping], ...] = (
        ("by kind:", "kind"),
        ("by language:", "lang"),
        ("by expected:", "form"),
    )
    for title, field in groupings:
        lines += [title, header]
        lines += [
            f"  {name:<13} {r.cases:>5}  {r.accuracy:>8.1%}  {r.wrong:>6.1%}  "
            f"{r.confirmations:>7.1%}  {r.reasks:>6.1%}"
            for name, r in report.rates_by(field).items()
        ]
    lines.append(
        f"commands: {report.commands_recognised:.1%} recognised   "
        f"answers taken for a command: {report.answers_taken_for_commands:.1%}"
    )
    lines.append(
        f"time per case: p50 {report.percentile_ms(0.5):.3f} ms   "
        f"p99 {report.percentile_ms(0.99):.3f} ms   "
        f"(CPU time: p50 {report.percentile_ms(0.5, cpu=True):.3f} ms   "
        f"p99 {report.percentile_ms(0.99, cpu=True):.3f} ms)"
    )
    return "\n".join(lines)


def parse_choices(raw: str) -> tuple[tuple[str, str], ...]:
    """ "car:Voiture,train:Train" -> (("car", "Voiture"), ("train", "Train"))."""
    pairs = []
    for item in raw.split(","):
        if not item.strip():
            continue
        identifier, sep, label = item.partition(":")
        if not sep or not identifier.strip() or not label.strip():
            raise NluInputError(f'--choices: {item.strip()!r} is not "id:Label"')
        pairs.append((identifier.strip(), label.strip()))
    return tuple(pairs)


def _parse(args: argparse.Namespace) -> int:
    from nlu import ChoiceOption, QuestionSpec

    choices = parse_choices(args.choices)
    if args.kind in ("choice", "multi_choice", "ranking") and not choices:
        raise NluInputError(f'--kind {args.kind} needs --choices "id:Label,id:Label"')
    if args.today is None:
        today = dt.date.today()
    else:
        try:
            today = dt.date.fromisoformat(args.today)
        except ValueError:
            raise NluInputError(f"--today: {args.today!r} is not a date YYYY-MM-DD") from None
    question = QuestionSpec(
        kind=args.kind,
        choices=tuple(ChoiceOption(i, (label,)) for i, label in choices),
        min=args.min,
        max=args.max,
        unit=args.unit,
    )
    got = _interpreter(args.region).interpret(args.text, question, args.lang, today)
    print(_show(got))
    return 0


def _show(got: Interpretation) -> str:
    from nlu import Answer, Command, Confirm

    if isinstance(got, Answer):
        return f"answer {json.dumps(got.value, ensure_ascii=False)}"
    if isinstance(got, Command):
        return f"command {got.name}"
    if isinstance(got, Confirm):
        candidates = " | ".join(
            json.dumps(c.value, ensure_ascii=False) + (f" ({c.label})" if c.label else "")
            for c in got.candidates
        )
        return f"confirm ({got.reason}): {candidates}"
    return f"reject ({got.reason})"
