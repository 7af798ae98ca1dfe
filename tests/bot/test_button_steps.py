"""Button payloads carry the step they were shown at."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import fields, replace

from hypothesis import given
from hypothesis import strategies as st

from bot.button_steps import read, stamp, step_of
from flows.replies import Button, Reply
from flows.state import SessionState

ASKING = SessionState(language="fr", status="asking", question_id="meeting", history=("a", "b"))


def test_a_stamped_payload_reads_back_with_its_step():
    step = step_of(7, ASKING)
    [reply] = stamp([Reply("?", (Button("Oui", "yes"), Button("Non", "no")))], step)
    assert [read(b.payload) for b in reply.buttons] == [("yes", step), ("no", step)]


def test_stamping_keeps_the_reply_but_its_payloads():
    # Every field of a reply but its buttons' payloads comes through, whatever
    # its value (a field added to Reply and not to Reply.with_buttons fails here).
    toggles = Reply("Lesquels ?", (Button("Bus", "bus"), Button("Train", "train")), True, 1, 2)
    plain = Reply("Merci !")
    stamped, kept = stamp([toggles, plain], "abcdefgh")
    assert kept is plain
    assert stamped == replace(
        toggles, buttons=(Button("Bus", "[abcdefgh] bus"), Button("Train", "[abcdefgh] train"))
    )
    names = {"text", "buttons", "multi_select", "min_selections", "max_selections"}
    assert {f.name for f in fields(Reply)} == names


def test_steps_differ_by_session_question_and_position():
    steps = {
        step_of(7, ASKING),
        step_of(8, ASKING),
        step_of(None, ASKING),
        step_of(7, SessionState("fr", "asking", "local_food", history=("a", "b"))),
        step_of(7, SessionState("fr", "asking", "meeting", history=("a",))),
        step_of(7, SessionState("fr", "paused", "meeting", history=("a", "b"))),
        step_of(None, None),
        step_of(7, SessionState("fr", "asking", "meeting", history=("a", "b"), ranked=("x",))),
    }
    assert len(steps) == 8
    assert step_of(7, ASKING) == step_of(
        7, SessionState("fr", "asking", "meeting", retries=2, history=("x", "y"))
    )


def test_a_joined_multiple_choice_reads_as_its_payloads():
    step = step_of(3, ASKING)
    assert read(f"[{step}] bus, [{step}] bike") == ("bus, bike", step)


@given(st.text())
def test_typed_text_has_no_step_unless_it_looks_stamped(text):
    payload, step = read(text)
    if step is None:
        assert payload == text
    else:
        assert text.startswith(f"[{step}] ")


def test_a_step_is_the_base32_start_of_the_digest_of_where_the_conversation_is() -> None:
    # The stamp's letters are computed by table look-ups; they must be the
    # standard base32 encoding, so that buttons already shown keep answering.
    for session_id in (None, 1, 42, 10**9):
        for state in (None, SessionState("fr", "asking", "q1", history=("a", "b"))):
            where = "consent" if state is None else "asking|q1|2"
            digest = hashlib.sha256(f"{session_id}|{where}".encode()).digest()
            expected = base64.b32encode(digest).decode("ascii").lower()[:8]
            assert step_of(session_id, state) == expected
