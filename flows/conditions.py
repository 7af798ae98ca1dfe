"""Declarative `when:` conditions over earlier answers: data, never code.

YAML forms (the flow-language reference in README.md is authoritative):
    when: {satisfaction: {lte: 2}}        # Compare
    when: {mode: {in: [car, bus]}}
    when: {why: answered}                 # Answered
    when: {why: skipped}                  # Skipped
    when: {all: [..., ...]} / {any: [...]} / {not: {...}}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

CompareOp = Literal["eq", "ne", "in", "lt", "lte", "gt", "gte"]
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
