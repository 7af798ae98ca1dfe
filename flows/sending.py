"""A request to send the answers typed at a question ("envoyer mes réponses",
"c'est bon, envoyez": `nlu`'s `send` command), before the flow's end.

The answers go as they are when nothing left needs one: the questions still to
answer, all optional, are passed (an answer already given, after "retour" or
"modifier la question 3", is kept), then the review or the end comes as after
the last answer. When one still needs an answer, nothing changes: the resident
is told how many questions are left, and the question is asked again. Pure,
like the engine that uses it.
"""

from __future__ import annotations

from flows.effects import AnswerSkipped, Effect
from flows.messages import say
from flows.model import Flow, Question
from flows.progress import Transition, move_on, will_ask
from flows.prompts import ask
from flows.replies import Reply
from flows.state import SessionState


def send_now(flow: Flow, state: SessionState, question: Question) -> Transition:
    """`send` said at `question`: on to the review or the end, or why not yet."""
    sent = _passing_what_is_left(flow, state, question)
    if sent is not None:
        return sent
    lang = state.language
    asked = will_ask(flow, state, question)
    left = len(asked) - asked.index(question)
    text = say("send_later_one", lang) if left == 1 else say("send_later", lang, n=left)
    return Transition(state, (Reply(text), ask(question, lang)))


def _passing_what_is_left(flow: Flow, state: SessionState, question: Question) -> Transition | None:
    """The questions from `question` on passed until the review or the end;
    None when one of them needs an answer (nothing is passed then)."""
    effects: list[Effect] = []
    current: Question | None = question
    while current is not None:
        if not state.responded(current.id):
            if not current.optional:
                return None
            state = state.with_skip(current.id)
            effects.append(AnswerSkipped(current.id))
        moved = move_on(flow, state, current.id)
        effects.extend(moved.effects)
        assert moved.state is not None  # move_on always has a state
        state = moved.state
        if state.status != "asking":  # reviewing or completed
            return Transition(state, moved.replies, tuple(effects))
        current = flow.find(state.question_id)
    return None
