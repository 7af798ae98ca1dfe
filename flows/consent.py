"""The conversation before consent: pure, as the engine (flows.engine) is.

Nothing about a resident exists until they agree (`state is None`), so every
message gets the intro and the consent question, or a short answer to a
command with the question again, and a refusal leaves nothing behind. A yes
consents only when the consent question was asked just before
(`Message.consent_asked`, which the bot remembers from the `ConsentAsked`
effect): then the first question is asked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from flows.effects import ConsentAsked, ConsentGiven, ConsentRefused
from flows.events import ChangeLanguage, Event, Message, Returned
from flows.messages import language_name, say
from flows.model import Flow
from flows.progress import Transition, move_on
from flows.prompts import closed_notice, consent_question, intro_and_consent
from flows.replies import Reply
from flows.state import SessionState
from nlu.interpretation import Answer, Command, CommandName, Interpretation


def before_consent(flow: Flow, event: Event, now: dt.datetime) -> Transition:
    """What `event` gets from someone not enrolled; `ConsentAsked` among the
    effects when the consent question is among the replies."""
    transition = _consent_step(flow, event, now)
    lang = flow.language_for(None if isinstance(event, Returned) else event.language)
    if consent_question(flow, lang) in transition.replies:
        return replace(transition, effects=(*transition.effects, ConsentAsked()))
    return transition


def is_answer(interpretation: Interpretation, value: bool) -> bool:
    """A yes (`value` True) or a no to a yes/no question."""
    # Not `== Answer(True)`: dataclass equality would take Answer(1) for a yes.
    return isinstance(interpretation, Answer) and interpretation.value is value


def _consent_step(flow: Flow, event: Event, now: dt.datetime) -> Transition:
    lang = flow.language_for(None if isinstance(event, Returned) else event.language)
    unavailable = closed_notice(flow, now, lang)
    if unavailable is not None:
        return Transition(None, (unavailable,))
    greeting = intro_and_consent(flow, lang)
    if isinstance(event, ChangeLanguage) and event.language != lang:
        names = ", ".join(language_name(code, lang) for code in flow.languages)
        text = say("language_unavailable", lang, languages=names)
        return Transition(None, (Reply(text), *greeting))
    if not isinstance(event, Message):
        return Transition(None, greeting)
    interpretation = event.interpretation
    if isinstance(interpretation, Command):
        return Transition(None, _command_before_consent(flow, interpretation.name, lang))
    if not event.consent_asked:
        # A yes to a question they were not shown (a first message "oui", a
        # retry after their data was erased) consents to nothing: show it.
        return Transition(None, greeting)
    if is_answer(interpretation, True):
        begun = move_on(flow, SessionState(language=lang, status="asking"), after=None)
        return Transition(
            begun.state,
            (Reply(say("consent_thanks", lang)), *begun.replies),
            (ConsentGiven(), *begun.effects),
        )
    if is_answer(interpretation, False):
        return Transition(None, (Reply(say("consent_refused", lang)),), (ConsentRefused(),))
    # Anything else ("bonjour"): say the intro again with the question.
    return Transition(None, greeting)


def _command_before_consent(flow: Flow, name: CommandName, lang: str) -> tuple[Reply, ...]:
    if name == "help":
        title = flow.title.get(lang)
        return (Reply(say("before_consent_help", lang, title=title)), consent_question(flow, lang))
    if name == "stop":
        return (Reply(say("before_consent_stop", lang)),)
    if name == "delete_data":
        return (Reply(say("before_consent_delete", lang)),)
    if name == "human":
        return (Reply(say("before_consent_human", lang)), consent_question(flow, lang))
    if name == "status":
        return (Reply(say("before_consent_status", lang)), consent_question(flow, lang))
    return (Reply(say("not_started", lang)), consent_question(flow, lang))  # restart, back, skip
