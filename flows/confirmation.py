"""Confirming an answer the interpreter was not sure of.

When `nlu` returns `Confirm` ("Bourge" for Bourges, "Saint-Aignan" for one of
several communes, "04/07"), the engine keeps the candidates in
`SessionState.pending` and asks: one candidate is put as a yes/no question
("Vous voulez dire « Bourges » ?" [Oui] [Non]), several as a choice with an
"Other" button. Only what the resident picks is stored; a no (or "Other") asks
the question again. Pure functions; the engine decides what follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from flows.messages import say
from flows.model import Question
from flows.prompts import describe, yes_no_buttons
from flows.replies import Button, Reply
from flows.state import Pending
from nlu.interpretation import Answer, AnswerValue, Interpretation
from nlu.question import ChoiceOption, QuestionSpec

OTHER = "other"  # payload of the "Other" button among several candidates


@dataclass(frozen=True, slots=True)
class Picked:
    value: AnswerValue
    label: str = ""  # the candidate's, which names a commune when it is shown back


Decision = Picked | Literal["declined", "unclear"]


def label(question: Question, value: AnswerValue, given: str, lang: str) -> str:
    return given or describe(question, value, lang)


def confirmation_spec(pending: Pending, question: Question, lang: str) -> QuestionSpec:
    """What the reply to the confirmation is interpreted against."""
    if len(pending.candidates) == 1:
        return QuestionSpec(kind="yes_no")
    options = tuple(
        ChoiceOption(str(n), (label(question, c.value, c.label, lang),))
        for n, c in enumerate(pending.candidates, start=1)
    )
    return QuestionSpec(
        kind="choice",
        choices=(*options, ChoiceOption(OTHER, (say("confirm_other", lang), "autre", "other"))),
    )


def confirmation_question(pending: Pending, question: Question, lang: str) -> Reply:
    candidates = pending.candidates
    if len(candidates) == 1:
        only = label(question, candidates[0].value, candidates[0].label, lang)
        return Reply(say("confirm_one", lang, answer=only), yes_no_buttons(lang))
    buttons = tuple(
        Button(label(question, c.value, c.label, lang), str(n))
        for n, c in enumerate(candidates, start=1)
    )
    return Reply(say("confirm_which", lang), (*buttons, Button(say("confirm_other", lang), OTHER)))


def decide(pending: Pending, interpretation: Interpretation) -> Decision:
    """What the resident's reply to the confirmation means (commands aside)."""
    if not isinstance(interpretation, Answer):
        return "unclear"
    value = interpretation.value
    if len(pending.candidates) == 1:
        if value is True:
            only = pending.candidates[0]
            return Picked(only.value, only.label)
        return "declined" if value is False else "unclear"
    if value == OTHER:
        return "declined"
    for n, candidate in enumerate(pending.candidates, start=1):
        if value == str(n):
            return Picked(candidate.value, candidate.label)
    return "unclear"
