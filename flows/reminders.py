"""What the resident is waiting on, said again (after help, a language switch,
a command that cannot be done there), and the help text for where they are.
Pure, like the engine that uses them."""

from __future__ import annotations

import datetime as dt

from flows.confirmation import confirmation_question
from flows.messages import say
from flows.model import Flow
from flows.other import detail_prompt
from flows.progress import present
from flows.prompts import closed_notice, delete_question, expectation, resume_offer
from flows.replies import Reply
from flows.review import summary
from flows.state import SessionState


def said_again(flow: Flow, state: SessionState, now: dt.datetime | None) -> tuple[Reply, ...]:
    """What the resident is waiting on, said again (after help, a language switch...)."""
    lang = state.language
    if state.status == "confirming_delete":
        return (delete_question(lang),)
    if state.status == "completed":
        return (Reply(say("already_completed", lang)),)
    if state.status == "reviewing":
        return (summary(flow, state),)
    unavailable = None if now is None else closed_notice(flow, now, lang)
    if unavailable is not None:
        return (unavailable,)
    question = flow.find(state.question_id)
    if state.status == "asking" and question is not None and state.detail_asked:
        return (detail_prompt(question, lang),)
    if state.status == "asking" and question is not None and state.pending is not None:
        return (confirmation_question(state.pending, question, lang),)
    if state.status == "asking" and question is not None:
        return (present(flow, state, question),)
    return (resume_offer(lang),)


def help_text(flow: Flow, state: SessionState, now: dt.datetime | None) -> str:
    """The help for where the resident is: the question's own help and what
    it expects, the review's instructions, or the offer to resume; then the
    commands."""
    lang = state.language
    if now is not None and closed_notice(flow, now, lang) is not None:
        return say("closed_help", lang)
    question = flow.find(state.question_id)
    if state.status == "asking" and question is not None:
        own = "" if question.help is None else question.help.get(lang) + " "
        return own + expectation(question, lang) + " " + say("commands", lang)
    if state.status in ("paused", "closed"):
        return say("resume_offer", lang) + " " + say("commands", lang)
    if state.status == "reviewing":
        return say("review_how", lang) + " " + say("commands", lang)
    return say("commands", lang)
