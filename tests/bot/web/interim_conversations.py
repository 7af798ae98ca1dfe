"""InterimConversations: stands in for bot.conversation.ConversationService until
it lands on main (then the tests switch to the real service and this file goes).

Built from the real pure parts: the flow loader, the engine and the interpreter,
with the session state in memory. Idempotent on message ids like the real service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from bot.inbound import InboundMessage
from flows.engine import advance, expecting
from flows.events import Message
from flows.loader import load_flow
from flows.replies import Reply
from flows.state import SessionState
from nlu.interpreter import Interpreter

FLOW = Path(__file__).resolve().parents[3] / "flows" / "examples" / "mobilite.yml"


class InterimConversations:
    def __init__(self) -> None:
        self.flow = load_flow(FLOW)
        self.interpreter = Interpreter()
        self.states: dict[str, SessionState | None] = {}
        self.seen: dict[tuple[str, str], Sequence[Reply]] = {}

    async def handle(self, message: InboundMessage) -> Sequence[Reply]:
        key = (message.user_id, message.message_id or "")
        if message.message_id is not None and key in self.seen:
            return self.seen[key]
        state = self.states.get(message.user_id)
        lang = state.language if state is not None else (message.language or "fr")
        spec = expecting(self.flow, state, lang)
        now = dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC)
        interpretation = self.interpreter.interpret(message.text, spec, lang, now.date())
        event = Message(message.text, interpretation, message.language)
        transition = advance(self.flow, state, event, now)
        self.states[message.user_id] = transition.state
        if message.message_id is not None:
            self.seen[key] = transition.replies
        return transition.replies
