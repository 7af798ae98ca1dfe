"""InterimConversations: stands in for bot.conversation.ConversationService until
it lands on main (then the tests switch to the real service and this file goes).

Built from the real pure parts available: the bundled flow file and the nlu
interpreter. In memory, idempotent on message ids like the real service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.inbound import InboundMessage
from flows.replies import Button, Reply
from nlu.interpretation import Answer
from nlu.interpreter import Interpreter
from nlu.question import ChoiceOption, QuestionSpec

FLOW = Path(__file__).resolve().parents[3] / "flows" / "examples" / "mobilite.yml"


@dataclass
class _Session:
    step: int = -2  # -2 not started, -1 consent, 0.. questions, len: done
    answers: dict[str, object] = field(default_factory=dict)


class InterimConversations:
    def __init__(self) -> None:
        self.flow = yaml.safe_load(FLOW.read_text(encoding="utf-8"))
        self.interpreter = Interpreter()
        self.sessions: dict[str, _Session] = {}
        self.seen: dict[tuple[str, str], Sequence[Reply]] = {}
        self.handled: list[InboundMessage] = []

    async def handle(self, message: InboundMessage) -> Sequence[Reply]:
        key = (message.user_id, message.message_id or "")
        if message.message_id is not None and key in self.seen:
            return self.seen[key]
        self.handled.append(message)
        replies = self._advance(message)
        if message.message_id is not None:
            self.seen[key] = replies
        return replies

    def _advance(self, message: InboundMessage) -> Sequence[Reply]:
        lang = message.language or "fr"
        session = self.sessions.setdefault(message.user_id, _Session())
        questions = self.flow["questions"]
        if session.step == -2:
            session.step = -1
            return (Reply(self.flow["intro"][lang]), self._ask(-1, lang))
        if session.step >= len(questions):
            return (Reply(self.flow["outro"][lang]),)
        spec = self._spec(session.step, lang)
        result = self.interpreter.interpret(message.text, spec, lang, dt.date(2026, 7, 1))
        if not isinstance(result, Answer):
            return (Reply("?"), self._ask(session.step, lang))
        if session.step == -1 and result.value is False:
            return (Reply("Au revoir."),)
        if session.step >= 0:
            session.answers[questions[session.step]["id"]] = result.value
        session.step += 1
        if session.step == len(questions):
            return (Reply(self.flow["outro"][lang]),)
        return (self._ask(session.step, lang),)

    def _spec(self, step: int, lang: str) -> QuestionSpec:
        if step == -1:
            return QuestionSpec(kind="yes_no")
        q = self.flow["questions"][step]
        choices = tuple(ChoiceOption(c["id"], (c["label"][lang],)) for c in q.get("choices", ()))
        return QuestionSpec(kind=q["type"], choices=choices, min=q.get("min"), max=q.get("max"))

    def _ask(self, step: int, lang: str) -> Reply:
        if step == -1:
            yes, no = ("Oui", "Non") if lang == "fr" else ("Yes", "No")
            return Reply(self.flow["consent"][lang], (Button(yes, "oui"), Button(no, "non")))
        q = self.flow["questions"][step]
        buttons: tuple[Button, ...] = ()
        if q["type"] == "choice":
            buttons = tuple(Button(c["label"][lang], c["id"]) for c in q["choices"])
        elif q["type"] == "scale":
            buttons = tuple(Button(str(n), str(n)) for n in range(q["min"], q["max"] + 1))
        return Reply(q["text"][lang], buttons)
