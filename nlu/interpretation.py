"""What the answer-understanding layer makes of one message: exactly one of
`Answer`, `Command` or `Reject`.

Values by question kind (see docs/evaluation.md):
yes_no -> bool; choice -> the choice id (str); multi_choice -> tuple of choice ids
in the question's order; number and scale -> int; postal_code -> "45000";
commune -> INSEE code "45234"; date -> ISO date "2026-07-03"; free_text -> the
stripped text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias, get_args

AnswerValue: TypeAlias = bool | int | str | tuple[str, ...]

CommandName = Literal["help", "stop", "restart", "back", "skip", "delete_data", "human"]
COMMAND_NAMES: tuple[CommandName, ...] = get_args(CommandName)

# Why an answer was not accepted; the engine turns the reason into a hint.
RejectReason = Literal[
    "empty",  # nothing but white space, emoji or punctuation
    "not_understood",  # no answer of the expected kind found
    "ambiguous",  # several different answers where one was expected
    "out_of_range",  # a number, scale or date outside the question's bounds
    "approximate",  # "une dizaine", "about 20": ask for a precise figure
    "too_long",  # free text longer than the question's max length
    "too_few",  # multi_choice: fewer selections than min_selections
    "too_many",  # multi_choice: more selections than max_selections
    "unknown_postal_code",  # five digits that are no French postal code
    "unknown_commune",  # no commune of that name or postal code
]


@dataclass(frozen=True, slots=True)
class Answer:
    value: AnswerValue


@dataclass(frozen=True, slots=True)
class Command:
    name: CommandName


@dataclass(frozen=True, slots=True)
class Reject:
    reason: RejectReason


Interpretation: TypeAlias = Answer | Command | Reject
