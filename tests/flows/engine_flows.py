"""Flows built in Python for the engine tests: the demo consultation as
flows/examples/mobilite.yml says it, and a flow with every question type,
branching and optional questions."""

from __future__ import annotations

import datetime as dt

from flows.conditions import AllOf, Answered, AnyOf, Compare, Not, Skipped
from flows.effects import ConsentAsked, Effect
from flows.engine import Transition, advance
from flows.events import Event, Message, Start
from flows.model import Choice, Flow, Question
from flows.replies import Reply
from flows.state import SessionState
from flows.translated import Translated
from nlu.interpretation import (
    Answer,
    AnswerValue,
    Command,
    CommandName,
    Interpretation,
    Reject,
    RejectReason,
)


def t(fr: str, en: str | None = None) -> Translated:
    return Translated.of({"fr": fr, "en": en if en is not None else fr})


def mobilite(opens: dt.date | None = None, closes: dt.date | None = None) -> Flow:
    return Flow(
        id="mobilite",
        title=t("Mobilité en Centre-Val de Loire", "Mobility in Centre-Val de Loire"),
        languages=("fr", "en"),
        intro=t("Bonjour ! Quatre questions, deux minutes.", "Hello! Four questions."),
        consent=t("Acceptez-vous ?", "Do you agree?"),
        outro=t("Merci pour votre contribution !", "Thank you for your contribution!"),
        opens=opens,
        closes=closes,
        questions=(
            Question(
                id="mode",
                type="choice",
                text=t(
                    "Comment vous déplacez-vous le plus souvent ?", "How do you usually travel?"
                ),
                choices=(
                    Choice("car", t("Voiture", "Car"), (("fr", ("auto", "bagnole")),)),
                    Choice("train", t("Train"), (("fr", ("TER",)),)),
                    Choice("bus", t("Bus")),
                    Choice("bike", t("Vélo", "Bike")),
                    Choice("walk", t("À pied", "On foot")),
                ),
            ),
            Question(
                id="satisfaction",
                type="scale",
                min=1,
                max=5,
                min_label=t("pas du tout satisfait", "not satisfied at all"),
                max_label=t("très satisfait", "very satisfied"),
                text=t("De 1 à 5, êtes-vous satisfait ?", "From 1 to 5, how satisfied are you?"),
            ),
            Question(
                id="postal_code",
                type="postal_code",
                text=t("Quel est votre code postal ?", "What is your postal code?"),
            ),
            Question(
                id="proposal",
                type="free_text",
                max_length=2000,
                text=t("Quelle proposition feriez-vous ?", "What would you propose?"),
            ),
        ),
    )


def rich() -> Flow:
    """Every question type; `when` branches; optional questions; help and retry texts."""
    return Flow(
        id="rich",
        title=t("Vie locale", "Local life"),
        languages=("fr", "en"),
        consent=t("Acceptez-vous ?", "Do you agree?"),
        outro=t("Merci !", "Thank you!"),
        questions=(
            Question(
                id="resident",
                type="yes_no",
                text=t("Habitez-vous la région ?", "Do you live in the region?"),
            ),
            Question(
                id="commune",
                type="commune",
                text=t("Dans quelle commune ?", "Which commune?"),
                when=Compare("resident", "eq", True),
            ),
            Question(
                id="transport",
                type="multi_choice",
                text=t("Quels transports utilisez-vous ?", "Which transport do you use?"),
                min_selections=1,
                max_selections=2,
                choices=(
                    Choice("car", t("Voiture", "Car")),
                    Choice("train", t("Train")),
                    Choice("bike", t("Vélo", "Bike")),
                ),
            ),
            Question(
                id="train_trips",
                type="number",
                min=0,
                max=100,
                text=t("Combien de trajets en train par mois ?", "How many train trips a month?"),
                retry=t(
                    "Un nombre entre 0 et 100, par exemple 4.", "A number from 0 to 100, e.g. 4."
                ),
                help=t("Comptez les allers et les retours.", "Count each way."),
                when=Compare("transport", "in", ("train",)),
            ),
            Question(
                id="rating",
                type="scale",
                min=0,
                max=20,
                text=t("Votre note sur 20 ?", "Your mark out of 20?"),
            ),
            Question(
                id="complaint",
                type="free_text",
                max_length=50,
                optional=True,
                text=t("Qu'est-ce qui ne va pas ?", "What is wrong?"),
                when=AnyOf((Compare("rating", "lte", 8), Not(Answered("rating")))),
            ),
            Question(
                id="praise",
                type="free_text",
                optional=True,
                text=t("Qu'est-ce qui vous plaît ?", "What do you like?"),
                when=Skipped("complaint"),  # skipped, or not asked: the mark was good
            ),
            Question(
                id="visit",
                type="date",
                min_date=dt.date(2026, 1, 1),
                max_date=dt.date(2026, 12, 31),
                optional=True,
                text=t("Date de votre dernier voyage ?", "Date of your last trip?"),
            ),
            Question(
                id="follow_up",
                type="yes_no",
                text=t("Pouvons-nous vous recontacter ?", "May we contact you again?"),
                when=AllOf((Skipped("visit"), Compare("resident", "eq", True))),
            ),
            Question(
                id="zip",
                type="postal_code",
                optional=True,
                text=t("Votre code postal ?", "Your postal code?"),
            ),
        ),
    )


NOW = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)


class Chat:
    """Drives the engine as the bot does, with interpretations given directly."""

    def __init__(self, flow: Flow, now: dt.datetime = NOW) -> None:
        self.flow = flow
        self.now = now
        self.state: SessionState | None = None
        self.effects: list[Effect] = []
        self.consent_asked = False  # as the bot remembers it before consent

    def event(self, event: Event) -> Transition:
        transition = advance(self.flow, self.state, event, self.now)
        self.state = transition.state
        self.consent_asked = any(isinstance(e, ConsentAsked) for e in transition.effects)
        self.effects.extend(transition.effects)
        return transition

    def send(self, interpretation: Interpretation, text: str = "…") -> Transition:
        return self.event(Message(text, interpretation, consent_asked=self.consent_asked))

    def answer(self, value: AnswerValue, text: str | None = None) -> Transition:
        """The answer as a button or an exact reply would send it: nothing to echo."""
        if text is None:
            text = ", ".join(value) if isinstance(value, tuple) else str(value)
        return self.send(Answer(value), text)

    def command(self, name: CommandName) -> Transition:
        return self.send(Command(name), name)

    def reject(self, reason: RejectReason = "not_understood") -> Transition:
        return self.send(Reject(reason), "???")

    def consent(self) -> Transition:
        self.event(Start())
        return self.answer(True, "oui")

    @property
    def question_id(self) -> str | None:
        return None if self.state is None else self.state.question_id

    @property
    def status(self) -> str | None:
        return None if self.state is None else self.state.status


def texts(transition: Transition) -> str:
    """Everything said, as one text (for `in` checks)."""
    return "\n".join(reply.text for reply in transition.replies)


def payloads(reply: Reply) -> list[str]:
    return [button.payload for button in reply.buttons]
