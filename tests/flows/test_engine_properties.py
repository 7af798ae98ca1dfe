"""Properties of the engine over any sequence of inputs: it never raises, always
answers, never records an answer on a reject, and its state stays a JSON value.

No deadlines: timing is no property (and a loaded machine is no failure)."""

import datetime as dt
import json
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.conditions import evaluate
from flows.effects import AnswerRecorded, ConsentAsked, ConsentGiven, DeletionConfirmed
from flows.engine import advance, expecting
from flows.events import ChangeLanguage, Message, Returned, Start
from flows.question_spec import fit
from flows.state import SessionState
from nlu import COMMAND_NAMES, Interpreter
from nlu.interpretation import Answer, Command, Reject, RejectReason
from tests.flows.engine_flows import mobilite, rich
from tests.serving import shared_interpreter

REASONS: tuple[RejectReason, ...] = (
    "empty",
    "not_understood",
    "ambiguous",
    "out_of_range",
    "approximate",
    "too_long",
    "too_few",
    "too_many",
    "unknown_postal_code",
    "unknown_commune",
)
FLOWS = (
    mobilite(),
    rich(),
    mobilite(closes=dt.date(2026, 7, 1)),
    mobilite(opens=dt.date(2026, 7, 1)),
)
TIMES = (
    dt.datetime(2026, 6, 30, 23, tzinfo=dt.UTC),
    dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC),
    dt.datetime(2026, 7, 2, 8, tzinfo=dt.UTC),
)
WORDS = ("car", "train", "bike", "bus", "walk", "resume", "restart", "plane", "45000")

values = st.one_of(
    st.booleans(),
    st.integers(min_value=-5, max_value=120),
    st.sampled_from(WORDS),
    st.sampled_from(("2026-05-02", "2025-01-01", "2A004", "45234")),
    st.text(max_size=60),
    st.lists(st.sampled_from(WORDS), max_size=4).map(tuple),
)
interpretations = st.one_of(
    values.map(Answer),
    st.sampled_from(COMMAND_NAMES).map(Command),
    st.sampled_from(REASONS).map(Reject),
)
languages = st.sampled_from(("fr", "en", "de", "en-GB", ""))
events = st.one_of(
    st.builds(Message, st.text(max_size=20), interpretations, st.none() | languages, st.booleans()),
    st.builds(Start, st.none() | st.just("mobilite"), st.none() | languages),
    st.just(Returned()),
    st.builds(ChangeLanguage, languages),
)


def check_step(flow, before, event, now):
    t = advance(flow, before, event, now)
    assert t.replies, "the engine always answers"
    assert all(reply.text.strip() for reply in t.replies)
    assert all(b.title and b.payload for reply in t.replies for b in reply.buttons)
    recorded = [e for e in t.effects if isinstance(e, AnswerRecorded)]
    if not (isinstance(event, Message) and isinstance(event.interpretation, Answer)):
        assert recorded == [], "only an answer is ever recorded"
    if recorded:
        assert before is not None
        assert before.status == "asking"
        assert [r.question_id for r in recorded] == [before.question_id]
        question = flow.question(recorded[0].question_id)
        assert fit(question, recorded[0].value) == Answer(recorded[0].value)
    if any(isinstance(e, ConsentGiven) for e in t.effects):
        assert before is None
        # Consent answers only the consent question the resident was just asked.
        assert isinstance(event, Message)
        assert event.consent_asked
    if any(isinstance(e, ConsentAsked) for e in t.effects):
        assert t.state is None
        consents = {flow.consent.get(language) for language in flow.languages}
        assert any(reply.text in consents for reply in t.replies)
    if any(isinstance(e, DeletionConfirmed) for e in t.effects):
        assert t.state is None
    if t.state is not None:
        assert SessionState.from_json(json.loads(json.dumps(t.state.to_json()))) == t.state
        if t.state.status == "asking":
            question = flow.question(t.state.question_id)
            assert question.when is None or evaluate(question.when, t.state.known())
        assert t.state.retries < 10
    expecting(flow, t.state, "fr")
    return t


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(FLOWS),
    st.lists(st.tuples(events, st.sampled_from(TIMES)), max_size=40),
)
def test_any_sequence_of_events(flow, steps):
    state = None
    for event, now in steps:
        state = check_step(flow, state, event, now).state


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(FLOWS),
    st.lists(st.tuples(events, st.sampled_from(TIMES)), max_size=40),
)
def test_consent_is_only_ever_the_answer_to_the_consent_question_just_asked(flow, steps):
    """Driven as the bot drives it: `consent_asked` is what the previous
    transition said, never what the message claims."""
    state, asked = None, False
    for event, now in steps:
        if isinstance(event, Message):
            event = replace(event, consent_asked=asked)
        t = check_step(flow, state, event, now)
        if any(isinstance(e, ConsentGiven) for e in t.effects):
            assert asked, "consent given to a question that was not asked just before"
        asked = state is None and any(isinstance(e, ConsentAsked) for e in t.effects)
        state = t.state


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FLOWS), st.lists(interpretations, max_size=60))
def test_any_sequence_of_messages_after_consent(flow, interpretations_):
    now = TIMES[1]
    state = check_step(flow, None, Message("oui", Answer(True), consent_asked=True), now).state
    for interpretation in interpretations_:
        state = check_step(flow, state, Message("…", interpretation), now).state


texts = st.one_of(
    st.sampled_from(
        (
            "oui",
            "non",
            "yes",
            "no",
            "aide",
            "stop",
            "recommencer",
            "retour",
            "passer",
            "supprimer mes données",
            "humain",
            "/skip",
            "/restart",
            "resume",
            "train",
            "Voiture",
            "4",
            "15",
            "0",
            "45000",
            "2026-05-02",
            "bonjour",
            "",
        )
    ),
    st.text(max_size=30),
)


def interpreter() -> Interpreter:
    return shared_interpreter()  # the test run's one interpreter (tests/serving.py)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FLOWS[:2]), st.lists(texts, max_size=50))
def test_any_sequence_of_typed_texts_through_the_interpreter(flow, typed):
    now = TIMES[1]
    state = None
    for text in typed:
        spec = expecting(flow, state, "fr")
        interpretation = interpreter().interpret(text, spec, "fr", now.date())
        state = check_step(flow, state, Message(text, interpretation), now).state
