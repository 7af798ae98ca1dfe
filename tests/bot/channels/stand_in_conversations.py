"""STAND-IN for `bot.conversation.ConversationService`, used only until the real
service lands on main: the real pure parts (flows loader and engine, the nlu
interpreter) on the demo flow, with the state in memory instead of a database.
It keeps the contract of `bot.inbound.Conversations` that the channel relies on:
a repeated message id changes nothing and returns the replies sent the first time."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

from bot.inbound import InboundMessage
from flows.effects import AnswerRecorded
from flows.engine import advance, expecting
from flows.events import Event, Message, Start
from flows.loader import load_flow
from flows.model import Flow
from flows.replies import Reply
from flows.state import SessionState
from nlu.interpretation import AnswerValue
from nlu.interpreter import Interpreter

DEMO = Path(__file__).resolve().parents[3] / "flows" / "examples" / "mobilite.yml"


@functools.cache
def _interpreter() -> Interpreter:  # trains a classifier: once per test run
    return Interpreter()


@functools.cache
def _demo() -> Flow:
    return load_flow(DEMO)


class StandInConversations:
    def __init__(self) -> None:
        self.flow = _demo()
        self.interpreter = _interpreter()
        self.states: dict[str, SessionState | None] = {}
        self.recorded: dict[str, dict[str, AnswerValue]] = {}
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
        state = self.states.get(message.user_id)
        event: Event
        if message.text.split()[0:1] == ["/start"]:
            event = Start(message.consultation_id, message.language)
        else:
            language = state.language if state else (message.language or "fr")
            spec = expecting(self.flow, state, language)
            meaning = self.interpreter.interpret(
                message.text, spec, language, message.received_at.date()
            )
            event = Message(message.text, meaning, message.language)
        transition = advance(self.flow, state, event, message.received_at)
        self.states[message.user_id] = transition.state
        for effect in transition.effects:
            if isinstance(effect, AnswerRecorded):
                self.recorded.setdefault(message.user_id, {})[effect.question_id] = effect.value
        if message.message_id:
            self.seen[key] = transition.replies
        return transition.replies

    def answers(self, user_id: str) -> dict[str, AnswerValue]:
        return self.recorded.get(user_id, {})
