"""How the engine puts a flow question to the resident: its text, its buttons,
what it expects, and why an answer was not taken."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from flows.messages import format_date, say
from flows.replies import Button, Reply
from nlu.durations import NumberUnit
from nlu.interpretation import AnswerValue, RejectReason

if TYPE_CHECKING:  # the model makes each question's prompts with `question_prompt`
    from flows.model import Flow, Question

# A scale gets a button per value up to 0-10 (11 buttons, the common "from 0 to
# 10"); wider ones are typed.
MAX_SCALE_RANGE = 10
SKIP_PAYLOAD = "/skip"
RESUME = "resume"  # payload of the "resume" button: a choice id of the paused state
RESTART_PAYLOAD = "/restart"
RANK_SEPARATOR = " > "  # between the labels of a ranking, most important first
# Answers whose value is a code the resident never typed (a commune's INSEE
# code): they are shown by the name `nlu` gave them, as confirmations show it.
NAMED = ("commune",)


def ask(question: Question, lang: str) -> Reply:
    """The question as shown; its text is the `wording` stored with the answer."""
    made = question.prompts.get(lang)  # made when the question was, in its languages
    return question_prompt(question, lang) if made is None else made


def question_prompt(question: Question, lang: str) -> Reply:
    """`ask`, made afresh."""
    lines = [question.text.get(lang)]
    if question.type == "scale" and (question.min_label or question.max_label):
        ends = []
        if question.min_label is not None:
            ends.append(f"{question.min} = {question.min_label.get(lang)}")
        if question.max_label is not None:
            ends.append(f"{question.max} = {question.max_label.get(lang)}")
        lines.append(f"({', '.join(ends)})")
    if question.type == "multi_choice":
        lines.append(say("several", lang))
    if question.type == "ranking":
        lines.append(say("rank_how", lang, n=question.rank_count(), **_examples(question, lang)))
    buttons = _answer_buttons(question, lang)
    if question.optional:
        buttons = (*buttons, Button(say("skip", lang), SKIP_PAYLOAD))
    multi = question.type == "multi_choice"
    return Reply(
        text="\n".join(lines),
        buttons=buttons,
        multi_select=multi,
        min_selections=question.min_selections if multi else None,
        max_selections=question.max_selections if multi else None,
    )


def yes_no_buttons(lang: str, yes: str = "yes", no: str = "no") -> tuple[Button, ...]:
    return (Button(say(yes, lang), "yes"), Button(say(no, lang), "no"))


def _answer_buttons(question: Question, lang: str) -> tuple[Button, ...]:
    if question.type in ("choice", "multi_choice", "ranking"):
        return tuple(Button(c.label.get(lang), c.id) for c in question.choices)
    if question.type == "yes_no":
        return yes_no_buttons(lang)
    low, high = question.min, question.max
    if question.type != "scale" or low is None or high is None:
        return ()
    if 0 <= high - low <= MAX_SCALE_RANGE:
        return tuple(Button(str(n), str(n)) for n in range(low, high + 1))
    return ()


def expectation(question: Question, lang: str) -> str:
    """One sentence: what kind of answer the question takes."""
    kind = question.type
    labels = ", ".join(c.label.get(lang) for c in question.choices)
    if kind == "choice":
        return say("expect_choice", lang, labels=labels)
    if kind == "multi_choice":
        text = say("expect_multi_choice", lang, labels=labels)
        if question.min_selections is not None or question.max_selections is not None:
            low = question.min_selections or 1
            high = question.max_selections or len(question.choices)
            text = text[:-1] + say("expect_selections", lang, low=low, high=high) + "."
        return text
    if kind == "ranking":
        examples = _examples(question, lang)
        return say("expect_ranking", lang, labels=labels, n=question.rank_count(), **examples)
    if kind == "number":
        return say("expect_number", lang, bounds=_bounds(question.min, question.max, lang))
    if kind == "scale":
        return say("expect_scale", lang, low=question.min, high=question.max)
    if kind == "free_text":
        return say("expect_free_text", lang, limit=_length_limit(question, lang))
    if kind == "date":
        return say("expect_date", lang, range=_date_range(question, lang))
    return say(f"expect_{kind}", lang)  # yes_no, postal_code, commune


def reject_hint(reason: RejectReason, question: Question, lang: str) -> str:
    """Why the answer was not taken, what is expected, and the organizer's retry
    text if the question has one."""
    parts = [reject_text(reason, question, lang), expectation(question, lang)]
    if question.retry is not None:
        parts.append(question.retry.get(lang))
    return " ".join(parts)


def reject_text(reason: RejectReason, question: Question, lang: str) -> str:
    """Why an answer was not taken, in one sentence."""
    if reason == "ambiguous" and question.type == "yes_no":  # "bof", "oui et non"
        return say("reject_ambiguous_yes_no", lang)
    if reason == "too_many" and question.type == "ranking":
        return say("reject_ranking_too_many", lang, n=question.rank_count())
    if reason == "exclusive":
        labels = " / ".join(c.label.get(lang) for c in question.choices if c.exclusive)
        return say("reject_exclusive", lang, labels=labels or "?")
    return say(f"reject_{reason}", lang)


def describe(
    question: Question, value: AnswerValue, lang: str, name: str = "", detail: str | None = None
) -> str:
    """An answer as the resident would recognise it (the echo, going back, the
    review): by its `name` when it has one (a commune, else its code), an
    "other" choice with the `detail` given with it."""
    if name:
        return name
    if isinstance(value, bool):
        return say("yes" if value else "no", lang)
    if isinstance(value, tuple) and question.type == "ranking":
        return RANK_SEPARATOR.join(_choice_label(question, v, lang) for v in value)
    if isinstance(value, tuple):
        return ", ".join(_choice_shown(question, v, lang, detail) for v in value)
    if isinstance(value, str) and question.type == "choice":
        return _choice_shown(question, value, lang, detail)
    if isinstance(value, int) and question.type == "number" and question.unit is not None:
        return _duration(value, question.unit, lang)
    if isinstance(value, str) and question.type == "date":
        try:
            return format_date(dt.date.fromisoformat(value), lang)
        except ValueError:
            return value
    return str(value)


def _examples(question: Question, lang: str) -> dict[str, str]:
    """The first two labels, to show how a ranking is written."""
    labels = [c.label.get(lang) for c in question.choices[:2]]
    return {"first": labels[0] if labels else "", "second": labels[-1] if labels else ""}


def _duration(value: int, unit: NumberUnit, lang: str) -> str:
    """A number of minutes or hours, in words: "30 minutes", not a bare 30
    that the resident may read as anything."""
    return say(f"unit_{unit}_one" if value == 1 else f"unit_{unit}", lang, n=value)


def _choice_shown(question: Question, choice_id: str, lang: str, detail: str | None) -> str:
    """A choice's label, and for the "other" choice the detail given with it
    ("Autre (précisez) : la trottinette")."""
    label = _choice_label(question, choice_id, lang)
    other = question.other_choice()
    if detail is None or other is None or other.id != choice_id:
        return label
    return say("other_detail", lang, label=label, detail=detail)


def _choice_label(question: Question, choice_id: str, lang: str) -> str:
    for choice in question.choices:
        if choice.id == choice_id:
            return choice.label.get(lang)
    return choice_id


def _length_limit(question: Question, lang: str) -> str:
    shortest, longest = question.min_length, question.max_length
    if shortest is not None and longest is not None:
        return say("limit_both", lang, low=shortest, high=longest)
    if shortest is not None:
        return say("limit_min", lang, n=shortest)
    return "" if longest is None else say("limit", lang, n=longest)


def _bounds(low: int | None, high: int | None, lang: str) -> str:
    if low is not None and high is not None:
        return say("bounds_both", lang, low=low, high=high)
    if low is not None:
        return say("bounds_low", lang, low=low)
    if high is not None:
        return say("bounds_high", lang, high=high)
    return ""


def _date_range(question: Question, lang: str) -> str:
    low = None if question.min_date is None else format_date(question.min_date, lang)
    high = None if question.max_date is None else format_date(question.max_date, lang)
    if low is not None and high is not None:
        return say("date_range_both", lang, low=low, high=high)
    if low is not None:
        return say("date_range_low", lang, low=low)
    if high is not None:
        return say("date_range_high", lang, high=high)
    return ""


def intro_and_consent(flow: Flow, lang: str) -> tuple[Reply, Reply]:
    """What a resident sees first: the intro (or the title), then the consent."""
    made = flow.greetings.get(lang)  # made with the flow, in its languages
    return greeting(flow, lang) if made is None else made


def consent_question(flow: Flow, lang: str) -> Reply:
    return intro_and_consent(flow, lang)[1]


def greeting(flow: Flow, lang: str) -> tuple[Reply, Reply]:
    """`intro_and_consent`, made afresh."""
    intro = flow.title.get(lang) if flow.intro is None else flow.intro.get(lang)
    return (Reply(intro), Reply(flow.consent.get(lang), yes_no_buttons(lang)))


def follow_up_question(lang: str) -> Reply:
    return Reply(say("follow_up_question", lang), yes_no_buttons(lang))


def resume_offer(lang: str) -> Reply:
    return Reply(
        say("resume_offer", lang),
        (Button(say("resume", lang), RESUME), Button(say("restart", lang), RESTART_PAYLOAD)),
    )


def delete_question(lang: str) -> Reply:
    return Reply(say("delete_confirm", lang), yes_no_buttons(lang, "delete_yes", "delete_no"))


def closed_notice(flow: Flow, now: dt.datetime, lang: str) -> Reply | None:
    """What to say if the consultation is not open on `now`'s day, else None.
    `closes` is the last day answers are taken."""
    today = now.date()
    title = flow.title.get(lang)
    if flow.opens is not None and today < flow.opens:
        return Reply(say("not_open", lang, title=title, date=format_date(flow.opens, lang)))
    if flow.closes is not None and today > flow.closes:
        return Reply(say("closed", lang, title=title, date=format_date(flow.closes, lang)))
    return None
