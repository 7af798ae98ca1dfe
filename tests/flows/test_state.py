"""Session state: a plain value that goes to JSON and back unchanged."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.state import STATUSES, InvalidState, Pending, SessionState
from nlu.interpretation import Candidate

ids = st.text(alphabet="abcdefghij_", min_size=1, max_size=8)
values = st.one_of(
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.text(max_size=30),
    st.lists(ids, max_size=4).map(tuple),
)
states = st.builds(
    SessionState,
    language=st.sampled_from(["fr", "en"]),
    status=st.sampled_from(STATUSES),
    question_id=st.none() | ids,
    answers=st.lists(st.tuples(ids, values), max_size=5).map(tuple),
    skipped=st.lists(ids, max_size=3).map(tuple),
    passed_over=st.lists(ids, max_size=3).map(tuple),
    history=st.lists(ids, max_size=5).map(tuple),
    retries=st.integers(min_value=0, max_value=10),
    human_requested=st.booleans(),
    before_delete=st.none() | st.sampled_from(STATUSES),
    pending=st.none()
    | st.builds(
        Pending,
        candidates=st.lists(st.builds(Candidate, values, st.text(max_size=20)), min_size=1).map(
            tuple
        ),
        text=st.text(max_size=30),
    ),
    # Every field, the flags too: `from_json` builds a state by position, and
    # two fields swapped would read back unequal only if they differ.
    detail_asked=st.booleans(),
    follow_up_asked=st.booleans(),
    follows=st.booleans(),
    changing=st.booleans(),
    ranked=st.lists(ids, max_size=3).map(tuple),
    commented=st.lists(ids, max_size=3).map(tuple),
    names=st.lists(st.tuples(ids, st.text(max_size=20)), max_size=3).map(tuple),
    details=st.lists(st.tuples(ids, st.text(max_size=20)), max_size=3).map(tuple),
)


@settings(deadline=None)  # no timing asserts: a loaded machine is no failure
@given(states)
def test_json_round_trip_is_exact(state):
    data = json.loads(json.dumps(state.to_json()))
    again = SessionState.from_json(data)
    assert again == state
    # bools stay bools and ints stay ints
    assert [type(v) for _, v in again.answers] == [type(v) for _, v in state.answers]


def test_with_answer_replaces_an_earlier_answer_and_skip():
    state = SessionState(language="fr", status="asking")
    state = state.with_skip("a").with_answer("b", 1).with_answer("a", "x").with_answer("b", 2)
    assert state.answer("a") == "x"
    assert state.answer("b") == 2
    assert state.skipped == ()
    assert state.history == ("a", "b")
    assert state.known() == {"a": "x", "b": 2}


@pytest.mark.parametrize(
    "data",
    [
        [],
        {},
        {"version": 99},
        {**SessionState("fr", "asking").to_json(), "status": "lost"},
        {**SessionState("fr", "asking").to_json(), "answers": [["q", {"a": 1}]]},
        {**SessionState("fr", "asking").to_json(), "retries": -1},
        {**SessionState("fr", "asking").to_json(), "history": "q1"},
        {**SessionState("fr", "asking").to_json(), "pending": {"candidates": [], "text": ""}},
        {**SessionState("fr", "asking").to_json(), "pending": {"candidates": [[1]], "text": ""}},
        {**SessionState("fr", "asking").to_json(), "pending": []},
        {**SessionState("fr", "asking").to_json(), "names": [["q"]]},
        {**SessionState("fr", "asking").to_json(), "details": [["q", 1]]},
        {**SessionState("fr", "asking").to_json(), "names": {"q": "Orléans (45)"}},
    ],
)
def test_data_it_did_not_write_is_refused_with_a_named_error(data):
    with pytest.raises(InvalidState):
        SessionState.from_json(data)


def test_a_state_a_later_version_wrote_reads_without_what_it_added():
    """During an upgrade, a process of this version reads a session that one of
    the next wrote with a key of its own."""
    state = SessionState("fr", "asking", question_id="q").with_answer("a", "x")
    assert SessionState.from_json({**state.to_json(), "added_later": [1, 2]}) == state


def test_a_state_saved_before_passed_over_existed_still_reads():
    data = SessionState("fr", "asking", question_id="q", skipped=("a",)).to_json()
    del data["passed_over"]
    del data["pending"]
    assert SessionState.from_json(data) == SessionState(
        "fr", "asking", question_id="q", skipped=("a",)
    )


def test_a_name_and_a_detail_go_with_the_answer_they_were_given_for():
    state = SessionState("fr", "asking").with_answer("town", "45234", "Orléans (45)")
    state = state.with_answer("modes", ("bus", "other"), detail="la trottinette")
    assert (state.name("town"), state.detail("modes")) == ("Orléans (45)", "la trottinette")
    assert (state.name("modes"), state.detail("town")) == ("", None)
    replaced = state.with_answer("town", "36044").with_answer("modes", ("bus",))
    assert (replaced.name("town"), replaced.detail("modes")) == ("", None)
    assert (state.without("town").names, state.with_skip("modes").details) == ((), ())


def test_a_state_saved_before_names_and_details_were_kept_reads_without_them():
    data = SessionState("fr", "asking", answers=(("town", "45234"),)).to_json()
    del data["names"]
    del data["details"]
    read = SessionState.from_json(data)
    assert read == SessionState("fr", "asking", answers=(("town", "45234"),))
    assert read.name("town") == ""


def test_passing_over_forgets_an_answer_and_counts_as_skipped():
    state = SessionState("fr", "asking").with_answer("a", 1).with_pass_over("a")
    assert state.answers == ()
    assert state.history == ()
    assert state.known() == {"a": None}
    assert state.with_answer("a", 2).passed_over == ()
