"""Describe a flow question to `nlu` in the conversation's language, and check
that an answer fits it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from nlu.interpretation import Answer, AnswerValue, Reject
from nlu.normalize import is_blank
from nlu.question import ChoiceOption, QuestionSpec

if TYPE_CHECKING:  # the model makes each question's specs with `spec_for`
    from flows.model import Question


def question_spec(question: Question, lang: str) -> QuestionSpec:
    made = question.specs.get(lang)  # made when the question was, in its languages
    return spec_for(question, lang) if made is None else made


def spec_for(question: Question, lang: str) -> QuestionSpec:
    """`question_spec`, made afresh."""
    return QuestionSpec(
        kind=question.type,
        choices=tuple(
            ChoiceOption(
                id=choice.id,
                names=_unique((choice.label.get(lang), *choice.synonyms_in(lang))),
                other=choice.other,
                exclusive=choice.exclusive,
            )
            for choice in question.choices
        ),
        min=question.min,
        max=question.max,
        unit=question.unit,
        min_selections=question.min_selections,
        max_selections=question.max_selections,
        ranks=question.rank_count() if question.type == "ranking" else None,
        max_length=question.max_length,
        min_length=question.min_length,
        min_date=question.min_date,
        max_date=question.max_date,
    )


def _unique(names: tuple[str, ...]) -> tuple[str, ...]:
    # The label first, then synonyms, without repeats or empty names.
    return tuple(dict.fromkeys(name for name in names if name.strip()))


def fit(question: Question, value: AnswerValue) -> Answer | Reject:
    """The answer as it will be stored, or why it does not fit the question.

    `nlu` already checks its answers; the engine checks again so that a wrong
    value (another interpreter, a bug) is re-asked rather than recorded.
    """
    kind = question.type
    if kind == "yes_no":
        return Answer(value) if isinstance(value, bool) else Reject("not_understood")
    if kind == "choice":
        ids = [c.id for c in question.choices]
        known = isinstance(value, str) and value in ids
        return Answer(value) if known else Reject("not_understood")
    if kind == "multi_choice":
        return _fit_selections(question, value)
    if kind == "ranking":
        return _fit_ranking(question, value)
    if kind in ("number", "scale"):
        if not isinstance(value, int) or isinstance(value, bool):
            return Reject("not_understood")
        too_low = question.min is not None and value < question.min
        too_high = question.max is not None and value > question.max
        return Reject("out_of_range") if too_low or too_high else Answer(value)
    if not isinstance(value, str):
        return Reject("not_understood")
    if kind == "date":
        return _fit_date(question, value)
    text = value.strip()
    if is_blank(text):
        return Reject("empty")
    if kind == "postal_code":
        well_formed = len(text) == 5 and text.isascii() and text.isdigit()
        return Answer(text) if well_formed else Reject("not_understood")
    if kind == "commune":
        # An INSEE code: five characters, digits except Corsica's 2A/2B.
        well_formed = len(text) == 5 and text.isascii() and text.isalnum()
        return Answer(text) if well_formed else Reject("not_understood")
    if question.max_length is not None and len(text) > question.max_length:
        return Reject("too_long")
    if question.min_length is not None and len(text) < question.min_length:
        return Reject("too_short")
    return Answer(text)


def _fit_selections(question: Question, value: AnswerValue) -> Answer | Reject:
    if not isinstance(value, tuple) or not value:
        return Reject("not_understood")
    ids = [c.id for c in question.choices]
    if any(v not in ids for v in value):
        return Reject("not_understood")
    # Stored in the question's order, each choice once, whatever order it came in.
    selections = tuple(i for i in ids if i in value)
    exclusive = {c.id for c in question.choices if c.exclusive}
    if len(selections) > 1 and exclusive.intersection(selections):
        return Reject("exclusive")
    alone = len(selections) == 1 and selections[0] in exclusive
    if (
        question.min_selections is not None
        and len(selections) < question.min_selections
        and not alone
    ):
        return Reject("too_few")
    if question.max_selections is not None and len(selections) > question.max_selections:
        return Reject("too_many")
    return Answer(selections)


def _fit_ranking(question: Question, value: AnswerValue) -> Answer | Reject:
    """A ranking keeps its order; each choice once; no more than `ranks` (a
    shorter one is a ranking under way: `flows.ranking`)."""
    if not isinstance(value, tuple) or not value:
        return Reject("not_understood")
    ids = [c.id for c in question.choices]
    if any(v not in ids for v in value) or len(set(value)) != len(value):
        return Reject("not_understood")
    if len(value) > question.rank_count():
        return Reject("too_many")
    return Answer(value)


def _fit_date(question: Question, value: str) -> Answer | Reject:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return Reject("not_understood")
    if (question.min_date is not None and day < question.min_date) or (
        question.max_date is not None and day > question.max_date
    ):
        return Reject("out_of_range")
    return Answer(day.isoformat())
