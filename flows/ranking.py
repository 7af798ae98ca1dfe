"""Ranking questions (`type: ranking`): the answer is the list of choice ids,
most important first, `ranks` of them (default: all).

A resident ranks in one message ("1 cantine 2 internat 3 numérique", read by
`nlu.ranking`) or one pick at a time: each pick (a button, a label) adds the
next rank, and the choices still free stay as buttons ("So far: Cantine. And
number 2?"). The picks so far are kept in `SessionState.ranked`; "back" takes
the last one off. When one choice is left for the last rank, it is that one.
"""

from __future__ import annotations

from flows.messages import say
from flows.model import Question
from flows.prompts import RANK_SEPARATOR, SKIP_PAYLOAD
from flows.replies import Button, Reply
from nlu.interpretation import Reject


def extended(
    question: Question, ranked: tuple[str, ...], picks: tuple[str, ...]
) -> tuple[str, ...] | Reject:
    """The ranking after `picks`: a message that starts again from the top
    ("1 cantine 2 internat" after "cantine") replaces what was picked; else its
    choices not yet ranked come next."""
    if picks[: len(ranked)] == ranked or len(picks) == question.rank_count():
        merged = picks
    else:
        merged = ranked + tuple(pick for pick in picks if pick not in ranked)
    if len(merged) > question.rank_count():
        return Reject("too_many")
    return _with_last(question, merged)


def finished(question: Question, ranked: tuple[str, ...]) -> bool:
    return len(ranked) >= question.rank_count()


def _with_last(question: Question, ranked: tuple[str, ...]) -> tuple[str, ...]:
    """The last rank filled when a single choice is left for it."""
    free = [c.id for c in question.choices if c.id not in ranked]
    if len(free) == 1 and len(ranked) == question.rank_count() - 1:
        return (*ranked, free[0])
    return ranked


def next_pick(question: Question, ranked: tuple[str, ...], lang: str) -> Reply:
    """What is ranked so far, and the choices still free as buttons."""
    labels = {c.id: c.label.get(lang) for c in question.choices}
    so_far = RANK_SEPARATOR.join(labels.get(choice, choice) for choice in ranked)
    buttons = tuple(Button(c.label.get(lang), c.id) for c in question.choices if c.id not in ranked)
    if question.optional:
        buttons = (*buttons, Button(say("skip", lang), SKIP_PAYLOAD))
    return Reply(say("rank_next", lang, ranked=so_far, n=len(ranked) + 1), buttons)
