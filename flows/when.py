"""Reading a question's `when:` into `flows.conditions` values, checking each
comparison against the question it looks at.

A condition may only look at questions asked before, and only compare with
values that question can take: a choice id it has, a number in its range, a
date in its range, true/false for yes_no. Values are normalised to what the
engine compares with: choice ids (str), bool, int, postal codes as 5-digit
texts, dates as ISO texts (YYYY-MM-DD), communes as INSEE codes.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from flows.conditions import (
    AllOf,
    Answered,
    AnyOf,
    Compare,
    CompareOp,
    Condition,
    ConditionValue,
    Not,
    Skipped,
)
from flows.schema import (
    ChoiceQuestion,
    DateQuestion,
    MultiChoiceQuestion,
    NumberQuestion,
    PostalCodeQuestion,
    QuestionDoc,
    RankingQuestion,
    ScaleQuestion,
    YesNoQuestion,
    describe,
)

YamlPath = tuple[str | int, ...]
INSEE_CODE = re.compile(r"[0-9]{5}|2[AB][0-9]{3}")  # a commune's official code (Corsica: 2A, 2B)
OPS: tuple[CompareOp, ...] = ("eq", "ne", "in", "first", "lt", "lte", "gt", "gte")
ORDERED_OPS = ("lt", "lte", "gt", "gte")
_YES = ("yes", "oui")
_NO = ("no", "non")


@dataclass(frozen=True, slots=True)
class WhenProblem:
    path: YamlPath  # where in the file, for the line
    message: str
    hint: str | None = None


def did_you_mean(word: str, candidates: list[str] | tuple[str, ...]) -> str | None:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


class _Invalid(Exception):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(slots=True)
class WhenReader:
    """Reads the `when` of the question at `position`, knowing the flow's questions.

    `order` holds every question id written in the file, in order (even those
    that failed other checks, so a reference to them is not called unknown);
    `known` the questions that parsed, to check compared values against."""

    question_id: str
    position: int
    order: tuple[str, ...]
    known: Mapping[str, QuestionDoc]

    def read(self, raw: object, path: YamlPath) -> tuple[Condition | None, list[WhenProblem]]:
        problems: list[WhenProblem] = []
        return self._condition(raw, path, problems), problems

    def _condition(
        self, raw: object, path: YamlPath, problems: list[WhenProblem]
    ) -> Condition | None:
        if not isinstance(raw, dict) or not raw:
            problems.append(
                WhenProblem(
                    path,
                    f"a condition must be a mapping such as {{mode: {{eq: car}}}}, got"
                    f" {describe(raw) if raw != {} else 'an empty mapping'}",
                    "see 'Conditions' in the README",
                )
            )
            return None
        parts: list[Condition | None] = []
        for key, value in raw.items():
            at = (*path, key)
            if key in ("all", "any"):
                parts.append(self._combined(key, value, at, problems))
            elif key == "not":
                inner = self._condition(value, at, problems)
                parts.append(None if inner is None else Not(inner))
            else:
                parts.append(self._about(key, value, at, problems))
        done = [part for part in parts if part is not None]
        if len(done) != len(parts):
            return None
        return done[0] if len(done) == 1 else AllOf(tuple(done))

    def _combined(
        self, key: str, value: object, path: YamlPath, problems: list[WhenProblem]
    ) -> Condition | None:
        if not isinstance(value, list) or not value:
            problems.append(
                WhenProblem(
                    path,
                    f"'{key}' takes a list of conditions, got"
                    f" {describe(value) if value != [] else 'an empty list'}",
                    f"write {key}: [{{q1: answered}}, {{q2: {{eq: 3}}}}]",
                )
            )
            return None
        items = [self._condition(item, (*path, i), problems) for i, item in enumerate(value)]
        done = tuple(item for item in items if item is not None)
        if len(done) != len(items):
            return None
        return AllOf(done) if key == "all" else AnyOf(done)

    def _about(
        self, question_id: str, value: object, path: YamlPath, problems: list[WhenProblem]
    ) -> Condition | None:
        try:
            self._check_reference(question_id)
            if value == "answered":
                return Answered(question_id)
            if value == "skipped":
                self._check_skippable(question_id)
                return Skipped(question_id)
            if not isinstance(value, dict) or not value:
                raise _Invalid(
                    f"the condition on '{question_id}' must be answered, skipped or a"
                    f" comparison, got {describe(value)}",
                    f"e.g. {question_id}: {{eq: ...}}, {question_id}: {{lte: 2}},"
                    f" {question_id}: answered",
                )
        except _Invalid as error:
            problems.append(WhenProblem(path, error.message, error.hint))
            return None
        parts: list[Condition] = []
        for op, expected in value.items():
            try:
                parts.append(self._compare(question_id, op, expected))
            except _Invalid as error:
                problems.append(WhenProblem((*path, op), error.message, error.hint))
        if len(parts) != len(value):
            return None
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def _check_reference(self, question_id: str) -> None:
        if not question_id or question_id not in self.order:
            raise _Invalid(
                f"the condition refers to question '{question_id}', which does not exist",
                did_you_mean(question_id, [*self.order, "all", "any", "not"])
                or "use the id of an earlier question, or all / any / not",
            )
        if question_id == self.question_id:
            raise _Invalid(
                f"the condition of '{question_id}' refers to its own answer",
                "a condition can only look at questions asked before",
            )
        if self.order.index(question_id) > self.position:
            raise _Invalid(
                f"the condition refers to question '{question_id}', which comes later",
                f"a condition can only look at earlier answers: move '{question_id}' before"
                f" '{self.question_id}'",
            )

    def _check_skippable(self, question_id: str) -> None:
        target = self.known.get(question_id)
        if target is not None and not target.optional:
            raise _Invalid(
                f"'{question_id}' is not optional, so it is never skipped and this condition"
                " is never true",
                f"make '{question_id}' optional: true; to ask only when '{question_id}' was"
                f" not asked, write not: {{{question_id}: answered}}",
            )

    def _compare(self, question_id: str, name: object, expected: object) -> Compare:
        op = next((op for op in OPS if op == name), None)
        if op is None:
            raise _Invalid(
                f"unknown comparison '{name}'",
                did_you_mean(str(name), OPS) or "use one of " + ", ".join(OPS),
            )
        target = self.known.get(question_id)
        if op in ("eq", "ne", "first") and isinstance(expected, list):
            raise _Invalid(f"'{op}' compares with one value, got a list", _list_hint(op, expected))
        if op == "first" and target is not None and not isinstance(target, RankingQuestion):
            raise _Invalid(
                f"'first' looks at the first choice of a ranking, but '{question_id}' is a"
                f" {target.type} question",
                "use eq or in",
            )
        if op == "in":
            if not isinstance(expected, list) or not expected:
                raise _Invalid(
                    f"'in' takes a list of values, got {describe(expected)}",
                    "write in: [a, b]",
                )
            if target is None:
                return Compare(question_id, op, tuple(cast(list[bool | int | str], expected)))
            return Compare(question_id, op, tuple(_value(target, op, v) for v in expected))
        if target is None:  # the target question has its own errors; checked once fixed
            return Compare(question_id, op, cast(ConditionValue, expected))
        return Compare(question_id, op, _value(target, op, expected))


def _value(target: QuestionDoc, op: CompareOp, value: object) -> bool | int | str:
    """`value` as the engine compares it, or _Invalid if `target` can never give it."""
    name = f"'{target.id}'"
    if op in ORDERED_OPS and not isinstance(target, NumberQuestion | ScaleQuestion | DateQuestion):
        raise _Invalid(
            f"'{op}' compares numbers or dates, but {name} is a {target.type} question",
            "use eq, ne or in",
        )
    if isinstance(target, YesNoQuestion):
        return _yes_no(name, value)
    if isinstance(target, ChoiceQuestion | MultiChoiceQuestion | RankingQuestion):
        ids = [choice.id for choice in target.choices]
        if not isinstance(value, str) or value not in ids:
            listing = "its choices are " + ", ".join(ids)
            close = did_you_mean(str(value), ids)
            raise _Invalid(
                f"{describe(value)} is not a choice of {name}",
                f"{close} ({listing})" if close else listing,
            )
        return value
    if isinstance(target, NumberQuestion | ScaleQuestion):
        return _number(name, value, target.min, target.max)
    if isinstance(target, DateQuestion):
        return _date(name, value, target.min, target.max)
    if isinstance(target, PostalCodeQuestion):
        text = f"{value:05d}" if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(text, str) or not (len(text) == 5 and text.isdigit()):
            raise _Invalid(
                f"{describe(value)} is not a postal code", "write 5 digits in quotes: '45000'"
            )
        return text
    if target.type == "commune":
        text = f"{value:05d}" if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(text, str) or not INSEE_CODE.fullmatch(text):
            raise _Invalid(
                f"{describe(value)} is not an INSEE code: {name} is answered with the commune's"
                " code, not its name",
                "write the 5-character INSEE code, e.g. 45234 for Orléans, 37261 for Tours",
            )
        return text
    raise _Invalid(
        f"a free-text answer cannot be compared ({name})", "use answered or skipped instead"
    )


def _list_hint(op: str, values: list[object]) -> str:
    listed = "[" + ", ".join(str(v) for v in values) + "]"
    if op == "eq":
        return f"to accept any of several values, use in: write in: {listed}"
    if op == "ne":
        return f"to exclude several values, write not: {{<question>: {{in: {listed}}}}}"
    return "to accept several first choices, write any: [{<question>: {first: a}}, ...]"


def _yes_no(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in (*_YES, *_NO):
        return value.lower() in _YES
    raise _Invalid(f"{name} is answered yes or no, not {describe(value)}", "compare with yes or no")


def _number(name: str, value: object, low: int | None, high: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"{name} is answered with a whole number, not {describe(value)}")
    if low is not None and high is not None and low > high:
        return value  # min > max is reported on the question: no range to compare with
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"{'…' if low is None else low} to {'…' if high is None else high}"
        raise _Invalid(
            f"{value} is outside the range of {name} ({span})", "compare with a value it can take"
        )
    return value


def _date(name: str, value: object, low: dt.date | None, high: dt.date | None) -> str:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise _Invalid(f"{name} is answered with a date, not {describe(value)}", "write YYYY-MM-DD")
    if low is not None and high is not None and low > high:
        return value.isoformat()  # min > max is reported on the question
    if (low is not None and value < low) or (high is not None and value > high):
        raise _Invalid(
            f"{value.isoformat()} is outside the dates {name} accepts",
            "compare with a date it can take",
        )
    return value.isoformat()
