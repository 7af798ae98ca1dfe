"""STAND-IN for `bot.conversation.ConversationService`, used only until the real
service lands on main: the demo flow read from flows/examples/mobilite.yml, the
real `nlu.interpreter.Interpreter`, state in memory. It keeps the contract of
`bot.inbound.Conversations` that the channel relies on: a repeated message id
changes nothing and returns the replies sent the first time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.inbound import InboundMessage
from flows.replies import Button, Reply
from nlu.interpretation import Answer, Command
from nlu.interpreter import Interpreter
from nlu.question import ChoiceOption, QuestionSpec

DEMO = Path(__file__).resolve().parents[3] / "flows" / "examples" / "mobilite.yml"


@dataclass
class _Session:
    step: int = -1  # -1: not started, 0: consent, 1..n: question n, n+1: done
    language: str = "fr"
    answers: dict[str, Any] = field(default_factory=dict)


class StandInConversations:
    def __init__(self) -> None:
        self.flow = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
        self.interpreter = Interpreter()
        self.sessions: dict[str, _Session] = {}
        self.seen: dict[tuple[str, str], tuple[Reply, ...]] = {}
        self.handled: list[InboundMessage] = []
        self.unreachable: list[tuple[str, str]] = []

    async def mark_unreachable(self, channel: str, user_id: str) -> None:
        self.unreachable.append((channel, user_id))

    async def handle(self, message: InboundMessage) -> Sequence[Reply]:
        key = (message.user_id, message.message_id or "")
        if message.message_id and key in self.seen:
            return self.seen[key]
        self.handled.append(message)
        replies = tuple(self._advance(message))
        if message.message_id:
            self.seen[key] = replies
        return replies

    def answers(self, user_id: str) -> dict[str, Any]:
        return self.sessions[user_id].answers

    def _advance(self, message: InboundMessage) -> list[Reply]:
        session = self.sessions.setdefault(message.user_id, _Session())
        questions = self.flow["questions"]
        if session.step < 0 or session.step > len(questions):
            session.step, session.answers = 0, {}
            session.language = message.language or "fr"
            return [Reply(self._t(self.flow["intro"], session)), self._consent(session)]
        spec = self._spec(session)
        result = self.interpreter.interpret(
            message.text, spec, session.language, dt.date(2026, 7, 1)
        )
        if isinstance(result, Command):
            if result.name == "restart":
                session.step = -1
                return self._advance(message)
            return [Reply(f"({result.name})"), self._ask(session)]
        if not isinstance(result, Answer):
            return [Reply("Je n'ai pas compris."), self._ask(session)]
        if session.step == 0:
            if result.value is not True:
                session.step = len(questions) + 1
                return [Reply("Dommage.")]
        else:
            session.answers[questions[session.step - 1]["id"]] = result.value
        session.step += 1
        if session.step > len(questions):
            return [Reply(self._t(self.flow["outro"], session))]
        return [self._ask(session)]

    def _consent(self, session: _Session) -> Reply:
        yes, no = ("Oui", "Non") if session.language == "fr" else ("Yes", "No")
        buttons = (Button(yes, "oui"), Button(no, "non"))
        return Reply(self._t(self.flow["consent"], session), buttons)

    def _ask(self, session: _Session) -> Reply:
        if session.step == 0:
            return self._consent(session)
        question = self.flow["questions"][session.step - 1]
        text = self._t(question["text"], session)
        if question["type"] == "choice":
            buttons = tuple(
                Button(self._t(c["label"], session), c["id"]) for c in question["choices"]
            )
            return Reply(text, buttons)
        if question["type"] == "scale":
            values = range(question["min"], question["max"] + 1)
            return Reply(text, tuple(Button(str(v), str(v)) for v in values))
        return Reply(text)

    def _spec(self, session: _Session) -> QuestionSpec:
        if session.step == 0:
            return QuestionSpec("yes_no")
        question = self.flow["questions"][session.step - 1]
        choices = tuple(
            ChoiceOption(c["id"], (self._t(c["label"], session),))
            for c in question.get("choices", ())
        )
        return QuestionSpec(
            question["type"], choices, min=question.get("min"), max=question.get("max")
        )

    @staticmethod
    def _t(text: Any, session: _Session) -> str:
        return str(text[session.language] if isinstance(text, dict) else text)
