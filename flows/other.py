"""Other, please specify: a choice marked `other: true` takes a detail in the
resident's own words, read from the same message by `nlu` ("autre : la
trottinette") or asked right after the answer. The detail is optional ("passer"
goes on without it) and is stored beside the answer as free text for moderators
(`flows.effects.detail_id`)."""

from __future__ import annotations

from flows.messages import say
from flows.model import Question
from flows.prompts import SKIP_PAYLOAD
from flows.replies import Button, Reply
from nlu.interpretation import Answer, AnswerValue, Interpretation, Reject
from nlu.normalize import is_blank
from nlu.question import QuestionSpec

DETAIL_MAX_LENGTH = 500
DETAIL_SPEC = QuestionSpec(kind="free_text", max_length=DETAIL_MAX_LENGTH)


def takes_detail(question: Question, value: AnswerValue) -> bool:
    """Whether `value` picks the question's "other" choice."""
    other = question.other_choice()
    if other is None:
        return False
    return value == other.id or (isinstance(value, tuple) and other.id in value)


def detail_prompt(question: Question, lang: str) -> Reply:
    other = question.other_choice()
    label = other.label.get(lang) if other is not None else ""
    return Reply(
        say("specify_other", lang, label=label), (Button(say("skip", lang), SKIP_PAYLOAD),)
    )


def read_detail(interpretation: Interpretation) -> str | Reject:
    """The detail typed, or why it is not one."""
    if not isinstance(interpretation, Answer) or not isinstance(interpretation.value, str):
        return Reject("not_understood")
    text = interpretation.value.strip()
    if is_blank(text):
        return Reject("empty")
    if len(text) > DETAIL_MAX_LENGTH:
        return Reject("too_long")
    return text
