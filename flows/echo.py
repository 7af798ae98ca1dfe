"""Saying what was recorded when the reading was not literal: several choices
read from a sentence, a synonym, a misspelling, a number in words. The next
message then starts with one short line ("Noté : Vélo, Covoiturage."), so
that a resident can say "retour" when it is wrong. A button press, an exact
label or id, or digits as typed are echoed by nothing.

Echoed: choice, multi_choice, ranking, number and scale answers. Yes/no
answers, free text (the resident's own words), places and dates (shown in the
confirmations of `flows.confirmation` when unsure) are not.

And the other way round: "oui" to a free-text question shown again with its
answer keeps that answer (`keeps_answer`); it says so in the same place.
"""

from __future__ import annotations

import dataclasses
import re

from flows.messages import say
from flows.model import Question
from flows.prompts import describe
from flows.replies import Reply
from flows.state import SessionState
from nlu.interpretation import AnswerValue
from nlu.normalize import fold, tokens

ECHOED = ("choice", "multi_choice", "ranking", "number", "scale")
_NUMBER = re.compile(r"\s*(-?\d+)\s*(?:/\s*\d+)?\s*[.!]?\s*")
# What separates the items of a list typed or sent by buttons ("bus, bike").
_ITEMS = re.compile(r"\s*[,;+\n]\s*|\s+(?:et|and|puis|then|>)\s+", re.IGNORECASE)


def echo_line(
    question: Question, value: AnswerValue, text: str, lang: str, detail: str | None = None
) -> str | None:
    """The line to say before the next message, or None when `text` said
    the answer literally; an "other" choice with the `detail` read with it."""
    if question.type not in ECHOED or literal(question, value, text):
        return None
    return say("echo", lang, answer=describe(question, value, lang, detail=detail))


def with_echo(replies: tuple[Reply, ...], line: str | None) -> tuple[Reply, ...]:
    """`line` at the start of the first reply."""
    if line is None or not replies:
        return replies
    first, *rest = replies
    return (dataclasses.replace(first, text=f"{line}\n{first.text}"), *rest)


def literal(question: Question, value: AnswerValue, text: str) -> bool:
    """Whether `text` is the answer as the question names it: digits for a
    number, ids or labels for choices (each once, in any order for a
    multiple choice, in rank order for a ranking)."""
    if isinstance(value, int) and not isinstance(value, bool):
        found = _NUMBER.fullmatch(text)
        return found is not None and int(found[1]) == value
    chosen = value if isinstance(value, tuple) else (value,)
    if not all(isinstance(v, str) for v in chosen):
        return False
    items = [item for item in _ITEMS.split(text.strip()) if item.strip()]
    if len(items) != len(chosen):
        return False
    # Only the chosen choices' names matter: an item naming another choice, or
    # none, is not literal. Folded only when not typed exactly (every message
    # that answers a choice comes here).
    names = {
        choice.id: (choice.id, *(label for _, label in choice.label.texts))
        for choice in question.choices
        if choice.id in chosen
    }
    said = [_named(item, names) for item in items]
    if None in said:
        return False
    if question.type == "multi_choice":
        return set(said) == set(chosen)
    return tuple(said) == chosen


def _named(item: str, names: dict[str, tuple[str, ...]]) -> str | None:
    """The id of the choice that `item` names, exactly or folded; None if none."""
    for choice_id, spelled in names.items():
        if item in spelled:
            return choice_id
    key = _key(item)
    for choice_id, spelled in names.items():
        if any(_key(name) == key for name in spelled):
            return choice_id
    return None


# "retour" shows a free-text answer again; these keep it ("oui", "c'est bon").
_KEEP = frozenset(
    {
        "oui", "ouais", "ok", "okay", "yes", "yep", "d accord", "c est bon", "oui c est bon",
        "ca me va", "je confirme", "confirme", "pareil", "idem", "inchange", "je garde",
        "on garde", "garder", "keep", "keep it", "same", "that s fine", "fine", "correct",
    }
)  # fmt: skip


def keeps_answer(state: SessionState, question: Question, text: str) -> bool:
    """A yes to a free-text question shown again with its answer (after
    "retour" or "modifier la question N"): the resident confirms the text they
    wrote, they do not replace it by "oui"."""
    if question.type != "free_text" or state.answer(question.id) is None:
        return False
    return _key(text) in _KEEP


def _key(text: str) -> str:
    return " ".join(tokens(fold(text)))
