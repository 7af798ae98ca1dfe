"""Moving through a flow's questions: the engine's transition value, the next
question to ask after an answer (or completion), and the repair of a state whose
question is gone. Pure, like the engine that uses it."""

from __future__ import annotations

from dataclasses import dataclass, replace

from flows.conditions import evaluate
from flows.effects import AnswerWithdrawn, Completed, Effect
from flows.model import Flow, Question
from flows.prompts import ask
from flows.replies import Reply
from flows.state import SessionState


@dataclass(frozen=True, slots=True)
class Transition:
    state: SessionState | None
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()


def move_on(flow: Flow, state: SessionState, after: str | None) -> Transition:
    """Ask the next question after `after` whose `when` holds, or complete.

    Questions passed over because their `when` is false count as skipped for
    later conditions, and lose any answer they had (the resident went back and
    changed an earlier answer)."""
    start = 0
    if after is not None:
        start = next((i + 1 for i, q in enumerate(flow.questions) if q.id == after), 0)
    effects: list[Effect] = []
    for question in flow.questions[start:]:
        if question.when is None or evaluate(question.when, state.known()):
            asking = replace(
                state,
                status="asking",
                question_id=question.id,
                retries=0,
                pending=None,
                passed_over=tuple(q for q in state.passed_over if q != question.id),
            )
            return Transition(asking, (ask(question, state.language),), tuple(effects))
        if state.responded(question.id):
            effects.append(AnswerWithdrawn(question.id))
        state = state.with_pass_over(question.id)
    done = replace(state, status="completed", question_id=None, retries=0)
    effects.append(Completed())
    return Transition(done, (Reply(flow.outro.get(state.language)),), tuple(effects))


def repair(flow: Flow, state: SessionState) -> SessionState:
    """A state whose question is gone from the flow (or was never set) carries on
    with the first question still to answer; kept states come from the same flow
    version, so this only guards against damaged data."""
    if state.status not in ("asking", "paused", "closed"):
        return state
    if find(flow, state.question_id) is not None:
        return state
    for question in flow.questions:
        applies = question.when is None or evaluate(question.when, state.known())
        if applies and not state.responded(question.id):
            return replace(state, question_id=question.id, retries=0)
    return replace(state, status="completed", question_id=None, retries=0)


def find(flow: Flow, question_id: str | None) -> Question | None:
    for question in flow.questions:
        if question.id == question_id:
            return question
    return None
