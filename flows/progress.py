"""Moving through a flow's questions: the engine's transition value, the next
question to ask after an answer (or completion) with the section title and the
information steps before it, where the resident is ("Question 12 sur 37",
"Partie 2 sur 4 : ..."), and the repair of a state whose question is gone. Pure,
like the engine that uses it.

Progress counts only the questions that will be asked: those answered or skipped
before the current one, the current one, and the later ones whose `when` holds
or cannot be decided yet (it looks at questions still unanswered)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from flows.conditions import evaluate, references
from flows.effects import AnswerRecorded, AnswerWithdrawn, Completed, Effect
from flows.messages import say
from flows.model import Flow, Question
from flows.other import detail_prompt, read_detail, takes_detail
from flows.prompts import NAMED, ask, follow_up_question
from flows.ranking import next_pick
from flows.replies import Reply
from flows.review import summary
from flows.state import SessionState
from nlu.interpretation import AnswerValue, Interpretation, Reject


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
        position = flow.position(after)
        start = 0 if position is None else position + 1
    effects: list[Effect] = []
    lang = state.language
    previous = flow.find(after)
    for question in flow.questions[start:]:
        applies = _applies(question, state)
        if applies and state.changing and state.responded(question.id):
            continue  # a changed answer: on to what is still to answer
        if applies:
            asking = state.asking(
                question.id, passed_over=tuple(q for q in state.passed_over if q != question.id)
            )
            entered = question.section is not None and (
                previous is None or previous.section != question.section
            )
            replies = (
                *((section_heading(flow, asking, question),) if entered else ()),
                *(Reply(text.get(lang)) for text in question.before),
                present(flow, asking, question),
            )
            return Transition(asking, replies, tuple(effects))
        if state.responded(question.id):
            effects.append(AnswerWithdrawn(question.id))
        state = state.with_pass_over(question.id)
    closing = tuple(Reply(text.get(lang)) for text in flow.closing)
    if flow.review:
        reviewing = replace(state, status="reviewing", question_id=None, retries=0, changing=False)
        return Transition(reviewing, (*closing, summary(flow, reviewing)), tuple(effects))
    return complete(flow, state, closing, tuple(effects))


def complete(
    flow: Flow, state: SessionState, closing: tuple[Reply, ...], effects: tuple[Effect, ...] = ()
) -> Transition:
    """Everything answered (or the review sent): the outro; with `follow_up:
    true`, then the question whether they want to hear what becomes of it."""
    lang = state.language
    done = state.replaced(  # once a conversation, but a state is 19 fields to copy
        status="completed",
        question_id=None,
        retries=0,
        changing=False,
        follow_up_asked=flow.follow_up,
    )
    replies = (*closing, Reply(flow.outro.get(lang)))
    if flow.follow_up:
        replies = (*replies, follow_up_question(lang))
    return Transition(done, replies, (*effects, Completed()))


def record(
    flow: Flow,
    state: SessionState,
    question: Question,
    value: AnswerValue,
    text: str,
    detail: str | None = None,
    comment: str | None = None,
    label: str = "",
) -> Transition:
    """Store an answer and move on; an "other" choice without its detail is
    stored, then the detail is asked for (`flows.other`). A comment ("oui,
    surtout ...") is stored beside the answer, and passes over the questions
    marked `skip_if_commented` with this one. The state keeps the answer's
    `label` (a commune's name) and detail, to show it back (`flows.review`)."""
    lang = state.language
    wanted = takes_detail(question, value)
    recorded = AnswerRecorded(
        question_id=question.id,
        value=value,
        raw_text=text,
        wording=ask(question, lang).text,
        language=lang,
        detail=detail if wanted else None,
        comment=comment,
        drops_comment=comment is None and question.id in state.commented,
        replaces=state.responded(question.id),
    )
    name = label if question.type in NAMED else ""
    answered = state.with_answer(question.id, value, name, detail if wanted else None)
    if comment is not None:
        answered = answered.with_comment(question.id)
    if wanted and detail is None:
        asking = replace(answered, retries=0, detail_asked=True)
        return Transition(asking, (detail_prompt(question, lang),), (recorded,))
    moved = move_on(flow, answered, question.id)
    return Transition(moved.state, moved.replies, (recorded, *moved.effects))


def specified(
    flow: Flow, state: SessionState, question: Question, interpretation: Interpretation, text: str
) -> Transition:
    """The reply to "please specify": the detail, stored with the answer given."""
    value = state.answer(question.id)
    detail = read_detail(interpretation)
    if isinstance(detail, Reject) or value is None:
        hint = say("specify_again", state.language)
        return Transition(state, (Reply(hint), detail_prompt(question, state.language)))
    done = replace(state, detail_asked=False)
    return record(flow, done, question, value, text, detail)


def present(flow: Flow, state: SessionState, question: Question) -> Reply:
    """The question as shown, under "Question 12 sur 37" when the flow shows
    progress by question. The stored wording is `ask`'s, without the line. A
    ranking under way shows what is ranked so far and the choices still free."""
    asked = question_again(state, question)
    if flow.progress != "questions":
        return asked
    number, total = position(flow, state, question)
    line = say("progress_question", state.language, n=number, total=total)
    return replace(asked, text=f"{line}\n{asked.text}")


def question_again(state: SessionState, question: Question) -> Reply:
    """The question as asked again (after an answer not taken, a command)."""
    if question.type == "ranking" and state.ranked:
        return next_pick(question, state.ranked, state.language)
    return ask(question, state.language)


def section_heading(flow: Flow, state: SessionState, question: Question) -> Reply:
    """The title of the section `question` opens, as "Partie 2 sur 4 : ..." when
    the flow shows progress by section."""
    lang = state.language
    index = question.section if question.section is not None else 0
    title = flow.sections[index].get(lang)
    if flow.progress != "sections":
        return Reply(title)
    sections = sorted({q.section for q in will_ask(flow, state, question) if q.section is not None})
    number = sections.index(index) + 1 if index in sections else 1
    return Reply(say("progress_section", lang, n=number, total=len(sections), title=title))


def position(flow: Flow, state: SessionState, question: Question) -> tuple[int, int]:
    """(number of `question`, number of questions) among those that will be asked."""
    asked = will_ask(flow, state, question)
    return asked.index(question) + 1, len(asked)


def will_ask(flow: Flow, state: SessionState, current: Question) -> list[Question]:
    """The questions of the resident's way through the flow, `current` included."""
    known = state.without(current.id).known()  # its answer may change: back, restart
    asked: list[Question] = []
    reached = False
    for question in flow.questions:
        if question.id == current.id:
            reached = True
            asked.append(question)
        elif not reached:
            if state.responded(question.id):
                asked.append(question)
        elif commented_already(question, state):
            continue
        elif question.when is None or evaluate(question.when, known):
            asked.append(question)
        elif any(ref not in known for ref in references(question.when)):
            asked.append(question)  # undecided: it looks at a question not answered yet
    return asked


def repair(flow: Flow, state: SessionState) -> SessionState:
    """A state whose question is gone from the flow (or was never set) carries on
    with the first question still to answer; kept states come from the same flow
    version, so this only guards against damaged data."""
    if state.status not in ("asking", "paused", "closed"):
        return state
    if flow.find(state.question_id) is not None:
        return state
    if state.question_id is None and state.status != "asking" and flow.review:
        return state  # paused or closed at the review: resuming shows it again
    for question in flow.questions:
        applies = _applies(question, state)
        if applies and not state.responded(question.id):
            return replace(state, question_id=question.id, retries=0)
    return replace(state, status="completed", question_id=None, retries=0)


def _applies(question: Question, state: SessionState) -> bool:
    """Whether `question` is asked: its `when` holds and no comment answered it."""
    if commented_already(question, state):
        return False
    return question.when is None or evaluate(question.when, state.known())


def commented_already(question: Question, state: SessionState) -> bool:
    """`skip_if_commented: q`: the answer to q came with a comment, which says
    what this question asks ("oui, surtout les conseillers départementaux")."""
    return question.skip_if_commented is not None and question.skip_if_commented in (
        state.commented
    )
