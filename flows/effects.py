"""What the bot must persist after a transition, besides the new state.

Effects are facts, in the order they happened; the bot applies them in one
transaction with the new state. Answers are keyed by question id: a later
`AnswerRecorded`, `AnswerSkipped` or `AnswerWithdrawn` for the same question
replaces what was kept for it (after `back`, `restart` or a changed branch).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from nlu.interpretation import AnswerValue


@dataclass(frozen=True, slots=True)
class ConsentGiven:
    """The resident agreed: from now on the conversation may be stored."""


@dataclass(frozen=True, slots=True)
class ConsentAsked:
    """The consent question was among the replies: the bot notes it (keyed by
    the pseudonymous hash, no content) so that the next yes or no answers it.
    Before consent, a yes or no answers nothing unless this came just before."""


@dataclass(frozen=True, slots=True)
class ConsentRefused:
    """The resident declined; nothing about them may be stored."""


@dataclass(frozen=True, slots=True)
class AnswerRecorded:
    question_id: str
    value: AnswerValue
    raw_text: str  # what the resident typed (or the payload of the button)
    wording: str  # the exact question text shown, in `language`
    language: str
    # An "other" choice's detail in the resident's words (free text to moderate);
    # stored under `detail_id(question_id)`, replaced with the answer.
    detail: str | None = None
    # yes_no, choice, scale: the resident's words after the answer ("oui, surtout
    # les conseillers départementaux"); stored under `comment_id(question_id)`.
    comment: str | None = None
    drops_comment: bool = False  # a comment kept with an earlier answer no longer holds
    # The session answered or skipped this question before (going back, a change
    # at the review): an answer may be stored already, to supersede. False: the
    # first, nothing to look for.
    replaces: bool = False


def comment_id(question_id: str) -> str:
    """Where the comment of a closed answer is kept beside it (as `detail_id`)."""
    return f"{question_id}.comment"


def detail_id(question_id: str) -> str:
    """Where the detail of an "other" choice is kept beside its answer: no
    question id has a dot, so it cannot be another question's."""
    return f"{question_id}.other"


@dataclass(frozen=True, slots=True)
class AnswerSkipped:
    """An optional question left unanswered (replaces any earlier answer)."""

    question_id: str


@dataclass(frozen=True, slots=True)
class AnswerWithdrawn:
    """An earlier answer no longer counts: the resident restarted, or changed an
    answer so that this question no longer applies (its `when` became false)."""

    question_id: str


@dataclass(frozen=True, slots=True)
class FollowUpChosen:
    """After the last question of a flow with `follow_up: true`, the resident
    said whether they want the consultation's follow-ups; or said "stop" to
    them. Kept apart from the answers."""

    wanted: bool


@dataclass(frozen=True, slots=True)
class Paused:
    pass


@dataclass(frozen=True, slots=True)
class Resumed:
    pass


@dataclass(frozen=True, slots=True)
class Restarted:
    """Followed by `AnswerWithdrawn` for every answer given so far."""


@dataclass(frozen=True, slots=True)
class Completed:
    """The outro was said. Comes again if the resident goes back from the end
    and answers anew, or restarts and finishes again."""


@dataclass(frozen=True, slots=True)
class DeletionConfirmed:
    """Erase the participant's answers and transcript; the new state is None."""


@dataclass(frozen=True, slots=True)
class HumanRequested:
    """Flag the conversation for a moderator, who replies in the same channel."""


@dataclass(frozen=True, slots=True)
class StatusAsked:
    """The resident asks where their contribution is ("où en est ma
    contribution ?", or its receipt code): what storage knows goes first in
    the reply, before the question asked again."""


Effect: TypeAlias = (
    ConsentAsked
    | ConsentGiven
    | ConsentRefused
    | AnswerRecorded
    | AnswerSkipped
    | AnswerWithdrawn
    | Paused
    | Resumed
    | Restarted
    | Completed
    | FollowUpChosen
    | DeletionConfirmed
    | HumanRequested
    | StatusAsked
)
