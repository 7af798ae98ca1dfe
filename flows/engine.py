"""The conversation engine: pure and synchronous.

`advance(flow, state, event, now)` returns the new state, the replies and the
effects the bot must persist; `expecting(flow, state, language)` says what the
next message will be interpreted against. No clock (now is passed in), no I/O, no
randomness, no global state.

`state is None` means "no consent yet": nothing about the resident exists until
they agree, so before consent every message gets the intro and the consent
question, and a refusal leaves nothing behind (flows.consent). After
`delete_data` is confirmed the state is None again.

The opening dates compare with `now.date()`: the bot passes `now` in the
region's time zone, and `closes` is the last day answers are taken.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from flows.ambiguity import which_one
from flows.changing import change, reviewing
from flows.confirmation import Picked, confirmation_question, confirmation_spec, decide
from flows.consent import before_consent, is_answer
from flows.echo import echo_line, keeps_answer, literal, with_echo
from flows.effects import (
    AnswerSkipped,
    AnswerWithdrawn,
    DeletionConfirmed,
    Effect,
    FollowUpChosen,
    HumanRequested,
    Paused,
    Restarted,
    Resumed,
    StatusAsked,
)
from flows.events import ChangeLanguage, Event, Message, Returned, Start
from flows.messages import language_name, say
from flows.model import Flow, Question
from flows.other import DETAIL_SPEC
from flows.progress import Transition as Transition
from flows.progress import (
    move_on,
    present,
    question_again,
    record,
    repair,
    specified,
)
from flows.prompts import (
    RESUME,
    ask,
    closed_notice,
    delete_question,
    expectation,
    reject_hint,
    reject_text,
    resume_offer,
)
from flows.question_spec import fit, question_spec
from flows.ranking import extended, finished
from flows.reminders import help_text, said_again
from flows.replies import Reply
from flows.review import recalled, review_spec
from flows.sending import send_now
from flows.state import Pending, SessionState
from nlu.change import change_request
from nlu.interpretation import (
    Answer,
    AnswerValue,
    Command,
    CommandName,
    Confirm,
    Interpretation,
    Reject,
    RejectReason,
)
from nlu.question import ChoiceOption, QuestionSpec

# After this many answers not understood in a row, offer help (and skip the
# question when it is optional) instead of re-asking the same way again.
MAX_TRIES = 3


RESUME_WORDS = ("resume", "reprendre", "continuer", "continue", "oui", "yes", "ok")

# What every message before consent is read against: one value, not one per message.
_YES_NO = QuestionSpec(kind="yes_no")


def advance(flow: Flow, state: SessionState | None, event: Event, now: dt.datetime) -> Transition:
    if state is None:
        return before_consent(flow, event, now)
    state = repair(flow, state)
    if isinstance(event, ChangeLanguage):
        return _change_language(flow, state, event.language, now)
    if isinstance(event, Start):
        return _on_start(flow, state, now)
    if isinstance(event, Returned):
        return _on_return(flow, state, now)
    return _on_message(flow, state, event, now)


def expecting(flow: Flow, state: SessionState | None, language: str) -> QuestionSpec:
    """What the next message is interpreted against. Once there is a state, its
    language is the conversation's; `language` serves before consent."""
    if state is None or state.status == "confirming_delete":
        return _YES_NO
    lang = state.language
    if state.status in ("paused", "closed"):
        return QuestionSpec(
            kind="choice",
            choices=(
                # "oui" to "carry on where you were, or start again?" means carry on.
                ChoiceOption(RESUME, (say("resume", lang), *RESUME_WORDS)),
                ChoiceOption("restart", (say("restart", lang), "restart", "recommencer")),
            ),
        )
    question = flow.find(state.question_id)
    if state.status == "reviewing":
        return review_spec(lang)
    if state.status == "completed" and state.follow_up_asked:
        return _YES_NO
    if state.status == "asking" and question is not None and state.detail_asked:
        return DETAIL_SPEC
    if state.status == "asking" and question is not None and state.pending is not None:
        return confirmation_spec(state.pending, question, lang)
    if state.status == "asking" and question is not None:
        return question_spec(question, lang)
    return QuestionSpec(kind="free_text")


# ---- after consent: events other than messages --------------------------------


def _on_start(flow: Flow, state: SessionState, now: dt.datetime) -> Transition:
    question = flow.find(state.question_id)
    if state.status == "asking" and question is not None:
        unavailable = closed_notice(flow, now, state.language)
        if unavailable is not None:
            return _close(state, unavailable)
        return Transition(
            state, (Reply(say("where_we_were", state.language)), *said_again(flow, state, now))
        )
    return Transition(state, said_again(flow, state, now))


def _on_return(flow: Flow, state: SessionState, now: dt.datetime) -> Transition:
    if state.status == "confirming_delete":
        state = replace(state, status=state.before_delete or "asking", before_delete=None)
    if state.status == "completed":
        return Transition(state, said_again(flow, state, now))
    unavailable = closed_notice(flow, now, state.language)
    if unavailable is not None:
        return _close(state, unavailable)
    paused = replace(state, status="paused", retries=0)
    welcome = say("welcome_back", state.language, title=flow.title.get(state.language))
    return Transition(paused, (Reply(welcome), resume_offer(state.language)))


def _change_language(
    flow: Flow, state: SessionState, language: str, now: dt.datetime
) -> Transition:
    if language not in flow.languages:
        names = ", ".join(language_name(code, state.language) for code in flow.languages)
        text = say("language_unavailable", state.language, languages=names)
        return Transition(state, (Reply(text), *said_again(flow, state, now)))
    switched = replace(state, language=language)
    return Transition(
        switched,
        (Reply(say("language_changed", language)), *said_again(flow, switched, now)),
    )


# ---- after consent: messages ---------------------------------------------------


def _on_message(flow: Flow, state: SessionState, message: Message, now: dt.datetime) -> Transition:
    interpretation = message.interpretation
    if state.status == "confirming_delete":
        return _confirming_delete(flow, state, message, now)
    if isinstance(interpretation, Command) and interpretation.name in (
        "help",
        "delete_data",
        "human",
        "status",
    ):
        return _anytime_command(flow, state, interpretation.name, now)
    unavailable = closed_notice(flow, now, state.language)
    if unavailable is not None:
        if state.status == "completed":
            return Transition(state, (unavailable,))
        return _close(state, unavailable)
    if state.status in ("paused", "closed"):
        return _paused(flow, state, message)
    if state.status == "completed":
        return _completed(flow, state, message)
    number = change_request(message.text)
    if number is not None:
        changed = change(flow, state, number)
        if changed.state is state:  # no such question: say so, then what they were asked
            return replace(changed, replies=(*changed.replies, *said_again(flow, state, now)))
        return changed
    if state.status == "reviewing":
        return _review_message(flow, state, message)
    return _asking(flow, state, message)


def _review_message(flow: Flow, state: SessionState, message: Message) -> Transition:
    interpretation = message.interpretation
    if interpretation == Command("back") and state.history:
        return _back(flow, replace(state, status="asking"))
    if interpretation == Command("restart"):
        return _restart(flow, state)
    if interpretation == Command("stop"):
        paused = replace(state, status="paused", retries=0)
        return Transition(paused, (Reply(say("paused", state.language)),), (Paused(),))
    return reviewing(flow, state, message)


def _anytime_command(
    flow: Flow, state: SessionState, name: CommandName, now: dt.datetime
) -> Transition:
    lang = state.language
    if name == "delete_data":
        confirming = replace(state, status="confirming_delete", before_delete=state.status)
        return Transition(confirming, said_again(flow, confirming, now))
    if name == "help":
        return Transition(
            state, (Reply(help_text(flow, state, now)), *said_again(flow, state, now))
        )
    if name == "status":  # the answer comes from storage (StatusAsked), then the question
        again = said_again(flow, state, now) if state.status != "completed" else ()
        return Transition(state, again, (StatusAsked(),))
    # human
    carry_on = state.status in ("asking", "paused")
    text = say("human", lang) + (" " + say("carry_on", lang) if carry_on else "")
    if state.human_requested:
        text = say("human_already", lang)
    flagged = replace(state, human_requested=True)
    effects: tuple[Effect, ...] = () if state.human_requested else (HumanRequested(),)
    again = said_again(flow, flagged, now) if carry_on else ()
    return Transition(flagged, (Reply(text), *again), effects)


def _asking(flow: Flow, state: SessionState, message: Message) -> Transition:
    question = flow.find(state.question_id)
    if question is None:  # _repair leaves none such; a safe answer all the same
        return move_on(flow, state, after=None)
    interpretation = message.interpretation
    if isinstance(interpretation, Command) and state.detail_asked and interpretation.name == "skip":
        return move_on(flow, replace(state, detail_asked=False), question.id)  # no detail
    if state.ranked and interpretation == Command("back"):  # no Command made per answer
        unpicked = replace(state, ranked=state.ranked[:-1], retries=0)  # the last pick off
        return Transition(unpicked, (question_again(unpicked, question),))
    if isinstance(interpretation, Command):
        cleared = replace(state, pending=None, detail_asked=False, ranked=())
        return _command(flow, cleared, question, interpretation.name)
    if state.detail_asked:
        return specified(flow, state, question, interpretation, message.text)
    if state.pending is not None:
        return _confirming_answer(flow, state, question, state.pending, interpretation)
    if keeps_answer(state, question, message.text):  # even below min_length: "oui"
        return _kept(flow, state, question)
    if isinstance(interpretation, Confirm):
        # Only candidates the question takes are offered; none: say why as for an answer.
        fitting = tuple(c for c in interpretation.candidates if _fits(question, c.value))
        if not fitting:
            interpretation = fit(question, interpretation.candidates[0].value)
        else:
            pending = Pending(fitting, message.text)
            confirm = confirmation_question(pending, question, state.language)
            return Transition(replace(state, pending=pending), (confirm,))
    detail = comment = None
    label = ""
    if isinstance(interpretation, Answer):
        detail, comment = interpretation.detail, interpretation.comment
        label = interpretation.label
        interpretation = fit(question, interpretation.value)
    if isinstance(interpretation, Answer) and question.type == "ranking":
        return _ranked(flow, state, question, interpretation.value, message.text)
    if isinstance(interpretation, Reject):
        return _not_taken(flow, state, question, interpretation.reason, interpretation)
    value = interpretation.value
    line = echo_line(question, value, message.text, state.language, detail)
    moved = record(flow, state, question, value, message.text, detail, comment, label)
    return moved if line is None else replace(moved, replies=with_echo(moved.replies, line))


def _kept(flow: Flow, state: SessionState, question: Question) -> Transition:
    """ "oui" to a free-text question shown again with its answer: that answer
    stays as it was (nothing stored again, nothing to moderate again)."""
    value = state.answer(question.id)
    assert value is not None  # keeps_answer checked it
    moved = move_on(flow, state.with_answer(question.id, value), question.id)
    return replace(moved, replies=with_echo(moved.replies, say("answer_kept", state.language)))


def _ranked(
    flow: Flow, state: SessionState, question: Question, value: AnswerValue, text: str
) -> Transition:
    """Picks for a ranking: stored once every rank is filled (`flows.ranking`)."""
    lang = state.language
    picks = value if isinstance(value, tuple) else (str(value),)
    ranking = extended(question, state.ranked, picks)
    if isinstance(ranking, Reject):
        return _not_taken(flow, state, question, ranking.reason)
    if not finished(question, ranking):  # what is ranked so far is said anyway
        picked = replace(state, ranked=ranking, retries=0)
        return Transition(picked, (question_again(picked, question),))
    line = None if literal(question, picks, text) else echo_line(question, ranking, text, lang)
    moved = record(flow, replace(state, ranked=()), question, ranking, text)
    return replace(moved, replies=with_echo(moved.replies, line))


def _confirming_answer(
    flow: Flow,
    state: SessionState,
    question: Question,
    pending: Pending,
    interpretation: Interpretation,
) -> Transition:
    """The reply to "did you mean ...?": store what was picked, else ask again."""
    decision = decide(pending, interpretation)
    if isinstance(decision, Picked):
        confirmed = replace(state, pending=None)
        return record(flow, confirmed, question, decision.value, pending.text, label=decision.label)
    lang = state.language
    said = say("confirm_no" if decision == "declined" else "confirm_unclear", lang)
    return Transition(replace(state, pending=None), (Reply(said), ask(question, lang)))


def _fits(question: Question, value: AnswerValue) -> bool:
    return isinstance(fit(question, value), Answer)


def _command(flow: Flow, state: SessionState, question: Question, name: CommandName) -> Transition:
    lang = state.language
    if name == "stop":
        return Transition(
            replace(state, status="paused", retries=0), (Reply(say("paused", lang)),), (Paused(),)
        )
    if name == "restart":
        return _restart(flow, state)
    if name == "back":
        return _back(flow, state)
    if name == "skip" and question.optional:
        return _skip(flow, state, question)
    if name == "send":
        return send_now(flow, state, question)
    text = say("skip_refused", lang) if name == "skip" else help_text(flow, state, None)
    return Transition(state, (Reply(text), ask(question, lang)))


def _not_taken(
    flow: Flow,
    state: SessionState,
    question: Question,
    reason: RejectReason,
    reject: Reject | None = None,
) -> Transition:
    lang = state.language
    tries = state.retries + 1
    if tries >= MAX_TRIES and question.optional:
        skipped = _skip(flow, state, question)
        return replace(skipped, replies=(Reply(say("tries_skip", lang)), *skipped.replies))
    which = None if reject is None or tries >= MAX_TRIES else which_one(question, reject, lang)
    if which is not None:  # "« transports » : Transports en commun, ou ... ?"
        kept = replace(state, retries=tries)
        if question.type == "choice":
            return Transition(kept, (which,))
        return Transition(kept, (which, question_again(kept, question)))
    hint = reject_hint(reason, question, lang)
    if tries >= MAX_TRIES:
        hint = (
            reject_text(reason, question, lang)
            + " "
            + say("tries_help", lang, expectation=expectation(question, lang))
        )
        if question.help is not None:
            hint += " " + question.help.get(lang)
    # Counted up to MAX_TRIES only: from there on every re-ask offers help anyway.
    kept = replace(state, retries=min(tries, MAX_TRIES))
    return Transition(kept, (Reply(hint), question_again(kept, question)))


def _skip(flow: Flow, state: SessionState, question: Question) -> Transition:
    moved = move_on(flow, state.with_skip(question.id), question.id)
    return Transition(moved.state, moved.replies, (AnswerSkipped(question.id), *moved.effects))


def _back(flow: Flow, state: SessionState) -> Transition:
    lang = state.language
    previous = flow.find(state.history[-1]) if state.history else None
    if previous is None:
        return Transition(state, (Reply(say("back_first", lang)), *said_again(flow, state, None)))
    shown = recalled(previous, state)
    note = say("back_to_skipped", lang) if shown is None else say("back_to", lang, answer=shown)
    returned = state.asking(previous.id, history=state.history[:-1])
    return Transition(returned, (Reply(note), present(flow, returned, previous)))


def _restart(flow: Flow, state: SessionState) -> Transition:
    given = [qid for qid, _ in state.answers] + list(state.skipped)
    fresh = SessionState(
        language=state.language, status="asking", human_requested=state.human_requested
    )
    moved = move_on(flow, fresh, after=None)
    withdrawn = tuple(AnswerWithdrawn(qid) for qid in given)
    return Transition(
        moved.state,
        (Reply(say("restarted", state.language)), *moved.replies),
        (Restarted(), *withdrawn, *moved.effects),
    )


def _paused(flow: Flow, state: SessionState, message: Message) -> Transition:
    interpretation = message.interpretation
    if interpretation in (Answer("restart"), Command("restart")):
        restarted = _restart(flow, state)
        return replace(restarted, effects=(Resumed(), *restarted.effects))
    if interpretation == Answer(RESUME):
        question = flow.find(state.question_id)
        if question is None:  # paused at the review: back to it
            return move_on(flow, replace(state, status="asking", changing=True), after=None)
        resumed = state.asking(None)
        return Transition(
            resumed,
            (Reply(say("resumed", state.language)), present(flow, resumed, question)),
            (Resumed(),),
        )
    return Transition(state, (resume_offer(state.language),))


def _completed(flow: Flow, state: SessionState, message: Message) -> Transition:
    interpretation = message.interpretation
    if state.follow_up_asked and isinstance(interpretation, Answer):
        return _follow_up_chosen(state, interpretation.value is True)
    if state.follows and interpretation == Command("stop"):
        stopped = replace(state, follows=False, follow_up_asked=False)
        said = Reply(say("follow_up_stopped", state.language))
        return Transition(stopped, (said,), (FollowUpChosen(False),))
    if interpretation == Command("restart"):
        return _restart(flow, state)
    if interpretation == Command("back") and state.history:
        return _back(flow, state)
    return Transition(state, (Reply(say("already_completed", state.language)),))


def _follow_up_chosen(state: SessionState, wanted: bool) -> Transition:
    chosen = replace(state, follow_up_asked=False, follows=wanted)
    said = Reply(say("follow_up_yes" if wanted else "follow_up_no", state.language))
    return Transition(chosen, (said,), (FollowUpChosen(wanted),))


def _confirming_delete(
    flow: Flow, state: SessionState, message: Message, now: dt.datetime
) -> Transition:
    lang = state.language
    interpretation = message.interpretation
    if is_answer(interpretation, True):
        return Transition(None, (Reply(say("deleted", lang)),), (DeletionConfirmed(),))
    cancels = is_answer(interpretation, False) or (
        isinstance(interpretation, Command) and interpretation.name not in ("delete_data", "help")
    )
    if not cancels:
        return Transition(state, (Reply(say("delete_help", lang)), delete_question(lang)))
    kept = replace(state, status=state.before_delete or "asking", before_delete=None)
    cancelled = Reply(say("delete_cancelled", lang))
    if isinstance(interpretation, Command):  # another command: cancel, then do it
        then = _on_message(flow, kept, message, now)
        return replace(then, replies=(cancelled, *then.replies))
    return Transition(kept, (cancelled, *said_again(flow, kept, now)))


def _close(state: SessionState, unavailable: Reply) -> Transition:
    closed = replace(state, status="closed", before_delete=None, pending=None)
    return Transition(closed, (unavailable,))
