"""What `nlu` needs to know about the question being asked.

`nlu` imports nothing of ours, so the flow engine describes its current question
with these plain values (already in the conversation's language).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, TypeAlias, get_args

from nlu.durations import NumberUnit

QuestionKind: TypeAlias = Literal[
    "yes_no",
    "choice",
    "multi_choice",
    "ranking",
    "number",
    "scale",
    "free_text",
    "postal_code",
    "commune",
    "date",
]
QUESTION_KINDS: tuple[QuestionKind, ...] = get_args(QuestionKind)


@dataclass(frozen=True, slots=True)
class ChoiceOption:
    """One choice: its id and every name a resident may use for it in the
    conversation's language (the label first, then the flow's synonyms)."""

    id: str
    names: tuple[str, ...]
    other: bool = False  # "other, please specify": the words after its name are a detail
    exclusive: bool = False  # multi_choice: cannot be combined with others ("Aucune")

    @property
    def label(self) -> str:
        return self.names[0] if self.names else self.id


@dataclass(frozen=True, slots=True)
class QuestionSpec:
    kind: QuestionKind
    choices: tuple[ChoiceOption, ...] = ()
    min: int | None = None  # number, scale
    max: int | None = None
    unit: NumberUnit | None = None  # number: what it counts, to convert durations to
    min_selections: int | None = None  # multi_choice
    max_selections: int | None = None
    ranks: int | None = None  # ranking: how many options are still to rank
    max_length: int | None = None  # free_text
    min_length: int | None = None
    min_date: dt.date | None = None  # date
    max_date: dt.date | None = None
