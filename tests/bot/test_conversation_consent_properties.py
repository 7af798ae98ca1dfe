"""The consent class as a property: no sequence of messages creates a
participant unless the consent question was shown to them and the message
after it accepted it. Messages go to two services on one database (two
processes), with message ids reused as client retries would.

No deadline: timing is no property (and a loaded machine is no failure)."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channel_contract import InboundMessage
from bot.conversation import ConversationService
from storage import participants

TEXTS = (
    "oui",
    "yes",
    "ok",
    "d'accord",
    "non",
    "bonjour",
    "/start",
    "aide",
    "stop",
    "supprimer mes données",
    "train",
    "4",
)
AGREEING = {"oui", "yes", "ok", "d'accord"}
step = st.tuples(
    st.sampled_from(TEXTS),
    st.sampled_from((None, "mobilite", "lycees")),  # what the page or deep link chose
    st.integers(0, 4),  # message id: a small pool, so that retries happen
    st.integers(0, 1),  # which of the two processes takes it
)
senders = itertools.count()
_opened: dict[int, tuple[ConversationService, ConversationService]] = {}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=10))
async def test_only_an_accepted_consent_question_creates_a_participant(open_service, clock, steps):
    # Opened once per test run (the fixture is the same for all examples).
    if id(open_service) not in _opened:
        _opened.clear()
        _opened[id(open_service)] = (await open_service(), await open_service())
    services = _opened[id(open_service)]
    user = f"resident-{next(senders)}"
    consent_texts = {"Acceptez-vous", "Do you agree"}
    previous: tuple[str, bool] | None = None  # (message id, replies asked consent)
    enrolled = False
    for text, consultation, number, process in steps:
        service = services[process]
        message_id = f"id-{number}"
        replies = await service.handle(
            InboundMessage("rest", user, text, message_id, clock(), consultation_id=consultation)
        )
        async with service.database.transaction() as s:
            now_enrolled = await participants.find(s, "rest", service.pseudonym("rest", user))
        if now_enrolled is not None and not enrolled:
            assert text in AGREEING, f"{text!r} enrolled them"
            assert previous is not None, "enrolled by a first message"
            assert previous[1], "enrolled without being asked just before"
            assert previous[0] != message_id, "a retry of the asking message enrolled them"
        enrolled = now_enrolled is not None
        asked = any(any(c in reply.text for c in consent_texts) for reply in replies)
        previous = (message_id, asked)
        clock.advance(seconds=1)
