"""Scoring answer understanding against expected interpretations
(docs/evaluation.md, plus the `confirm` form below): accuracy, and what a
miss costs, overall, per question kind, per language and per expected form.

Every case ends in exactly one outcome:

- passed: the interpretation is the expected one;
- wrong: a value or a command that is not what was meant (an answer where a
  re-ask or another value was expected, a command fired on an answer, the wrong
  command) -- silent corruption, the figure to keep lowest;
- confirmation: the bot asks "did you mean ...?" before storing (not wrong: the
  resident corrects it with one tap);
- re-ask: the bot asks the question again (not wrong, but a lost turn).

An expected confirmation is written `{"confirm": VALUE}` (the value meant: the
case passes when the bot offers it among its candidates) or
`{"confirm": null}` (the meaning cannot be known, e.g. a weekday that
contradicts the date: any confirmation passes, any answer is wrong). The value
meant, stored without asking, passes too. Where a re-ask (`reject`) is
expected, asking which of several candidates passes (nothing is stored until
the resident picks one); proposing a single value does not.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from nlu.interpretation import Answer, Command, Confirm, Interpretation, Reject
from nlu.question import QuestionSpec

# Relative dates of the evaluation sets are resolved against this day (a Monday).
REFERENCE_DAY = dt.date(2026, 6, 15)

Form = Literal["answer", "intent", "reject", "confirm"]
FORMS: tuple[Form, ...] = ("answer", "intent", "reject", "confirm")
Verdict = Literal["passed", "wrong", "confirmation", "reask"]
Grouping = Literal["kind", "form", "lang"]


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    lang: str
    question: QuestionSpec
    text: str
    form: str  # answer, intent, reject or confirm
    expected: Any


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    got: Interpretation
    passed: bool
    seconds: float  # wall-clock time
    cpu_seconds: float = 0.0  # time on the CPU: the same, minus other processes' turns

    @property
    def verdict(self) -> Verdict:
        return verdict(self.case, self.got)


@dataclass(frozen=True, slots=True)
class Rates:
    """The figures of a group of outcomes, as fractions of its cases: wrong and
    re-asks count the misses of each sort; confirmations count every message
    the bot asked "did you mean ...?" about, expected or not (it must stay rare)."""

    cases: int
    accuracy: float
    wrong: float
    confirmations: float
    reasks: float

    @classmethod
    def of(cls, outcomes: Sequence[Outcome]) -> Rates:
        n = len(outcomes)
        verdicts = [o.verdict for o in outcomes]

        def share(v: Verdict) -> float:
            return verdicts.count(v) / n if n else 0.0

        asked = sum(isinstance(o.got, Confirm) for o in outcomes) / n if n else 0.0
        return cls(n, _accuracy(outcomes), share("wrong"), asked, share("reask"))

    def as_json(self) -> dict[str, float | int]:
        return {
            "cases": self.cases,
            "accuracy": round(self.accuracy, 4),
            "wrong": round(self.wrong, 4),
            "confirmations": round(self.confirmations, 4),
            "reasks": round(self.reasks, 4),
        }


@dataclass(frozen=True, slots=True)
class Report:
    outcomes: tuple[Outcome, ...]

    @property
    def cases(self) -> int:
        return len(self.outcomes)

    @property
    def accuracy(self) -> float:
        return _accuracy(self.outcomes)

    @property
    def rates(self) -> Rates:
        return Rates.of(self.outcomes)

    def by(self, field: Literal["kind", "form"]) -> dict[str, tuple[int, float]]:
        return {name: (r.cases, r.accuracy) for name, r in self.rates_by(field).items()}

    def rates_by(self, field: Grouping) -> dict[str, Rates]:
        key: Callable[[Case], str] = {
            "kind": lambda c: c.question.kind,
            "form": lambda c: c.form,
            "lang": lambda c: c.lang,
        }[field]
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for outcome in self.outcomes:
            groups[key(outcome.case)].append(outcome)
        return {name: Rates.of(group) for name, group in sorted(groups.items())}

    @property
    def commands_recognised(self) -> float:
        """Of the messages that were commands, the share read as that command."""
        commands = [o for o in self.outcomes if o.case.form == "intent"]
        return _accuracy(commands) if commands else 1.0

    @property
    def answers_taken_for_commands(self) -> float:
        """Of the messages that were not commands, the share read as a command."""
        others = [o for o in self.outcomes if o.case.form != "intent"]
        if not others:
            return 0.0
        return sum(isinstance(o.got, Command) for o in others) / len(others)

    def percentile_ms(self, fraction: float, *, cpu: bool = False) -> float:
        times = sorted(o.cpu_seconds if cpu else o.seconds for o in self.outcomes)
        if not times:
            return 0.0
        index = min(len(times) - 1, max(0, round(fraction * (len(times) - 1))))
        return times[index] * 1000

    def as_json(self) -> dict[str, Any]:
        return {
            **self.rates.as_json(),
            "by_kind": {k: r.as_json() for k, r in self.rates_by("kind").items()},
            "by_lang": {k: r.as_json() for k, r in self.rates_by("lang").items()},
            "by_expected": {k: r.as_json() for k, r in self.rates_by("form").items()},
            "commands_recognised": round(self.commands_recognised, 4),
            "answers_taken_for_commands": round(self.answers_taken_for_commands, 4),
            "p50_ms": round(self.percentile_ms(0.5), 3),
            "p99_ms": round(self.percentile_ms(0.99), 3),
            "p50_cpu_ms": round(self.percentile_ms(0.5, cpu=True), 3),
            "p99_cpu_ms": round(self.percentile_ms(0.99, cpu=True), 3),
        }


def _accuracy(outcomes: Sequence[Outcome]) -> float:
    return sum(o.passed for o in outcomes) / len(outcomes) if outcomes else 0.0


def passes(case: Case, got: Interpretation) -> bool:
    if case.form == "reject":
        # Asking which of several candidates ("Vineuil (41)" or "Vineuil (36)")
        # is a re-ask with buttons: nothing is stored until the resident picks.
        return isinstance(got, Reject) or (isinstance(got, Confirm) and len(got.candidates) > 1)
    if case.form == "intent":
        return isinstance(got, Command) and got.name == case.expected
    if case.form == "confirm" and isinstance(got, Answer):
        # The value meant, stored without asking: the resident got what they meant.
        return case.expected is not None and _same_value(case, got.value, case.expected)
    if case.form == "confirm":
        return isinstance(got, Confirm) and (
            case.expected is None
            or any(_same_value(case, c.value, case.expected) for c in got.candidates)
        )
    return isinstance(got, Answer) and _same_value(case, got.value, case.expected)


def verdict(case: Case, got: Interpretation) -> Verdict:
    if passes(case, got):
        return "passed"
    if isinstance(got, Confirm):
        return "confirmation"
    if isinstance(got, Reject):
        return "reask"
    return "wrong"


def _same_value(case: Case, value: object, expected: object) -> bool:
    if case.question.kind == "multi_choice":
        return (
            isinstance(value, tuple)
            and isinstance(expected, list | tuple)
            and (set(value) == set(expected))
        )
    if case.question.kind == "ranking":  # the order is the answer
        return (
            isinstance(value, tuple)
            and isinstance(expected, list | tuple)
            and (value == tuple(expected))
        )
    return bool(value == expected and type(value) is type(expected))
