"""What the answer-understanding layer makes of one message: exactly one of
`Answer`, `Command`, `Reject` or `Confirm`.

`Confirm` is an answer the interpreter is not sure of: one candidate to confirm
with yes or no ("Vous voulez dire « Énergies renouvelables » ?"), or several to
choose from (homonymous communes, a day/month order that reads both ways). The
engine asks and stores only what the resident confirms. A clear answer is an
`Answer`, never a `Confirm`.

Values by question kind (see docs/evaluation.md):
yes_no -> bool; choice -> the choice id (str); multi_choice -> tuple of choice ids
in the question's order; ranking -> tuple of choice ids, most important first;
number and scale -> int; postal_code -> "45000"; commune -> INSEE code "45234"
(named in `Answer.label`: "Orléans (45)");
date -> ISO date "2026-07-03"; free_text -> the stripped text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias, get_args

AnswerValue: TypeAlias = bool | int | str | tuple[str, ...]

CommandName = Literal[
    "help", "stop", "restart", "back", "skip", "delete_data", "human", "status", "send"
]
COMMAND_NAMES: tuple[CommandName, ...] = get_args(CommandName)

# Why an answer was not accepted; the engine turns the reason into a hint.
RejectReason = Literal[
    "empty",  # nothing but white space, emoji or punctuation
    "not_understood",  # no answer of the expected kind found
    "ambiguous",  # several different answers where one was expected
    "out_of_range",  # a number, scale or date outside the question's bounds
    "approximate",  # "une dizaine", "about 20": ask for a precise figure
    "too_long",  # free text longer than the question's max length
    "too_short",  # free text shorter than the question's min length
    "too_few",  # multi_choice: fewer selections than min_selections
    "too_many",  # multi_choice: more selections than max_selections
    "exclusive",  # multi_choice: a choice marked exclusive ("Aucune") with others
    "unknown_postal_code",  # five digits that are no French postal code
    "unknown_commune",  # no commune of that name or postal code
]


@dataclass(frozen=True, slots=True)
class Answer:
    value: AnswerValue
    # choice, multi_choice: what the resident wrote after an "other" option
    # ("autre : la trottinette" -> "la trottinette"), kept as free text.
    detail: str | None = None
    # yes_no, choice, scale: the rest of the message after the answer ("oui,
    # surtout les conseillers départementaux"), kept as free text (nlu.comment).
    comment: str | None = None
    # commune: how the answer is named to the resident, as a confirmation names
    # it ("Saint-Jean-de-Braye (45)"), since its value is a code they never
    # typed. Not part of equality: an answer is what is stored.
    label: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Command:
    name: CommandName


@dataclass(frozen=True, slots=True)
class Reject:
    reason: RejectReason
    # ambiguous choices: the resident's words that name several options, and
    # those options' ids, so that the bot can name both ("« transports » :
    # Transports en commun, ou Transport à la demande ?"). Not part of equality:
    # a reject is its reason.
    words: str = field(default="", compare=False)
    options: tuple[str, ...] = field(default=(), compare=False)


# Why an answer is put to the resident before it is stored.
ConfirmReason = Literal[
    "spelling",  # a close spelling of a name, not the name ("Bourge")
    "partial",  # the start of a longer name ("Romorantin")
    "homonyms",  # several places or options answer to the name ("Saint-Aignan")
    "sentence",  # a number read out of a longer sentence
    "sum",  # a count given in parts ("deux adultes et un enfant")
    "birth_year",  # an age computed from a birth year
    "day_month",  # a date whose day and month read both ways ("04/07")
    "weekday",  # a weekday that contradicts the date ("mardi 3 juillet")
]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One value the resident may have meant; `label` names it when the engine
    cannot (a commune: "Saint-Aignan (41)"), else it is empty."""

    value: AnswerValue
    label: str = ""


@dataclass(frozen=True, slots=True)
class Confirm:
    candidates: tuple[Candidate, ...]  # at least one; the likeliest first
    reason: ConfirmReason


Interpretation: TypeAlias = Answer | Command | Reject | Confirm
