"""Changing one answer by its number ("modifier la question 5"), at any point
of a consultation or from the review, and the messages of the review itself
(send, or anything else: the summary's instructions again). See `flows.review`."""

from __future__ import annotations

from flows.events import Message
from flows.messages import say
from flows.model import Flow
from flows.progress import Transition, complete, present
from flows.replies import Button, Reply
from flows.review import SEND, numbered, recalled
from flows.state import SessionState
from nlu.interpretation import Answer, Command


def change(flow: Flow, state: SessionState, number: int) -> Transition:
    """Ask question `number` again; once answered, the conversation goes on with
    what is still to answer, or back to the review."""
    lang = state.language
    answered = numbered(flow, state)
    if not 1 <= number <= len(answered):
        text = say("change_unknown", lang, n=number, count=len(answered))
        return Transition(state, (Reply(text),))
    question = answered[number - 1]
    shown = recalled(question, state)
    shown = say("review_skipped", lang) if shown is None else shown
    changing = state.asking(question.id, changing=True)
    note = say("change_to", lang, n=number, answer=shown)
    return Transition(changing, (Reply(note), present(flow, changing, question)))


def reviewing(flow: Flow, state: SessionState, message: Message) -> Transition:
    """A message while the summary is shown: "send" completes the contribution."""
    lang = state.language
    interpretation = message.interpretation
    sent = isinstance(interpretation, Answer) and interpretation.value == SEND
    if sent or interpretation == Command("send"):
        return complete(flow, state, ())
    return Transition(state, (Reply(say("review_again", lang), _send_button(lang)),))


def _send_button(lang: str) -> tuple[Button, ...]:
    return (Button(say("review_send", lang), SEND),)
