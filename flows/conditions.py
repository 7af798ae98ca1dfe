"""Declarative `when:` conditions over earlier answers: data, never code.

YAML forms (the flow-language reference in README.md is authoritative):
    when: {satisfaction: {lte: 2}}        # Compare
    when: {mode: {in: [car, bus]}}
    when: {priorities: {first: canteen}}  # a ranking's first choice
    when: {why: answered}                 # Answered
    when: {why: skipped}                  # Skipped
    when: {all: [..., ...]} / {any: [...]} / {not: {...}}

`evaluate` decides a condition over the answers known so far. A comparison with a
question that was not answered (unanswered or skipped) is false, `ne` included:
only `skipped` and `not` say something about missing answers. Values compare
strictly by type (true is not 1). A multi_choice answer (a tuple of choice ids)
`eq` a choice id when that choice is among the selections, and is `in` a list
when any of its selections is. A ranking (a tuple too, most important first) is
compared the same way, and `first` looks at its first choice only. ISO dates
compare as text, which orders them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeAlias, TypeVar

from nlu.interpretation import AnswerValue

CompareOp = Literal["eq", "ne", "in", "first", "lt", "lte", "gt", "gte"]
ConditionValue: TypeAlias = bool | int | str | tuple[bool | int | str, ...]


@dataclass(frozen=True, slots=True)
class Compare:
    question_id: str
    op: CompareOp
    value: ConditionValue


@dataclass(frozen=True, slots=True)
class Answered:
    question_id: str


@dataclass(frozen=True, slots=True)
class Skipped:
    question_id: str


@dataclass(frozen=True, slots=True)
class AllOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    condition: Condition


Condition: TypeAlias = Compare | Answered | Skipped | AllOf | AnyOf | Not


def evaluate(condition: Condition, answers: Mapping[str, AnswerValue | None]) -> bool:
    """`answers`: question id -> its answer, or None when the question was skipped;
    questions not (yet) answered are absent."""
    match condition:
        case Answered(question_id):
            return answers.get(question_id) is not None
        case Skipped(question_id):
            return question_id in answers and answers[question_id] is None
        case AllOf(conditions):
            return all(evaluate(c, answers) for c in conditions)
        case AnyOf(conditions):
            return any(evaluate(c, answers) for c in conditions)
        case Not(inner):
            return not evaluate(inner, answers)
        case Compare(question_id, op, value):
            answer = answers.get(question_id)
            return answer is not None and _compare(answer, op, value)
    return False  # unreachable with well-typed conditions; false is the safe side


def references(condition: Condition) -> tuple[str, ...]:
    """The question ids a condition looks at."""
    match condition:
        case Answered(question_id) | Skipped(question_id) | Compare(question_id, _, _):
            return (question_id,)
        case AllOf(conditions) | AnyOf(conditions):
            return tuple(ref for inner in conditions for ref in references(inner))
        case Not(inner):
            return references(inner)
    return ()


def _compare(answer: AnswerValue, op: CompareOp, value: ConditionValue) -> bool:
    if isinstance(answer, tuple):
        return _compare_selections(answer, op, value)
    if op == "eq":
        return _same(answer, value)
    if op == "ne":
        return not _same(answer, value)
    if op == "in":
        return isinstance(value, tuple) and any(_same(answer, v) for v in value)
    if isinstance(value, tuple) or isinstance(answer, bool) or isinstance(value, bool):
        return False
    if isinstance(answer, int) and isinstance(value, int):
        return _order(answer, op, value)
    if isinstance(answer, str) and isinstance(value, str):
        return _order(answer, op, value)
    return False


def _compare_selections(answer: tuple[str, ...], op: CompareOp, value: ConditionValue) -> bool:
    if op == "eq":
        return _selected(answer, value)
    if op == "ne":
        return not _selected(answer, value)
    if op == "in":
        return isinstance(value, tuple) and any(_selected(answer, v) for v in value)
    if op == "first":
        return isinstance(value, str) and answer[:1] == (value,)
    return False


def _selected(answer: tuple[str, ...], value: ConditionValue) -> bool:
    if isinstance(value, tuple):
        return set(answer) == set(value)
    return isinstance(value, str) and value in answer


def _same(a: object, b: object) -> bool:
    return type(a) is type(b) and a == b


_Ordered = TypeVar("_Ordered", int, str)


def _order(a: _Ordered, op: CompareOp, b: _Ordered) -> bool:
    if op == "lt":
        return a < b
    if op == "lte":
        return a <= b
    if op == "gt":
        return a > b
    if op == "gte":
        return a >= b
    return False
