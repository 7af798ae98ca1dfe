"""Scoring answer understanding against expected interpretations
(docs/evaluation.md): accuracy overall, per question kind and per expected
form (answer, intent, reject), and the time per case measured by the caller.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from nlu.interpretation import Answer, Command, Interpretation, Reject
from nlu.question import QuestionSpec

# Relative dates of the evaluation sets are resolved against this day (a Monday).
REFERENCE_DAY = dt.date(2026, 6, 15)


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    lang: str
    question: QuestionSpec
    text: str
    form: str  # answer, intent or reject
    expected: Any


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    got: Interpretation
    passed: bool
    seconds: float  # wall-clock time
    cpu_seconds: float = 0.0  # time on the CPU: the same, minus other processes' turns


@dataclass(frozen=True, slots=True)
class Report:
    outcomes: tuple[Outcome, ...]

    @property
    def cases(self) -> int:
        return len(self.outcomes)

    @property
    def accuracy(self) -> float:
        return _accuracy(self.outcomes)

    def by(self, field: Literal["kind", "form"]) -> dict[str, tuple[int, float]]:
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for outcome in self.outcomes:
            name = outcome.case.question.kind if field == "kind" else outcome.case.form
            groups[name].append(outcome)
        return {name: (len(group), _accuracy(group)) for name, group in sorted(groups.items())}

    def percentile_ms(self, fraction: float, *, cpu: bool = False) -> float:
        times = sorted(o.cpu_seconds if cpu else o.seconds for o in self.outcomes)
        if not times:
            return 0.0
        index = min(len(times) - 1, max(0, round(fraction * (len(times) - 1))))
        return times[index] * 1000

    def as_json(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "accuracy": round(self.accuracy, 4),
            "by_kind": {
                k: {"cases": n, "accuracy": round(a, 4)} for k, (n, a) in self.by("kind").items()
            },
            "by_expected": {
                k: {"cases": n, "accuracy": round(a, 4)} for k, (n, a) in self.by("form").items()
            },
            "p50_ms": round(self.percentile_ms(0.5), 3),
            "p99_ms": round(self.percentile_ms(0.99), 3),
            "p50_cpu_ms": round(self.percentile_ms(0.5, cpu=True), 3),
            "p99_cpu_ms": round(self.percentile_ms(0.99, cpu=True), 3),
        }


def _accuracy(outcomes: Sequence[Outcome]) -> float:
    return sum(o.passed for o in outcomes) / len(outcomes) if outcomes else 0.0


def passes(case: Case, got: Interpretation) -> bool:
    if case.form == "reject":
        return isinstance(got, Reject)
    if case.form == "intent":
        return isinstance(got, Command) and got.name == case.expected
    if not isinstance(got, Answer):
        return False
    if case.question.kind == "multi_choice":
        return isinstance(got.value, tuple) and set(got.value) == set(case.expected)
    return bool(got.value == case.expected and type(got.value) is type(case.expected))
