"""Ranking questions in the engine: a whole ranking in one message, or one
pick at a time with the remaining choices as buttons; stored as an ordered
list; `when: {q: {first: ...}}` looks at the first choice."""

import pytest

from flows.conditions import Compare, evaluate
from flows.effects import AnswerRecorded
from flows.errors import FlowValidationError
from flows.loader import parse_flow
from flows.prompts import describe
from flows.question_spec import fit, question_spec
from flows.state import SessionState
from nlu.interpretation import Answer, Reject
from tests.flows.engine_flows import Chat, payloads, texts

FLOW = """
id: lycees
title: {fr: Lycées, en: High schools}
languages: [fr, en]
consent: {fr: Acceptez-vous ?, en: Do you agree?}
questions:
  - id: priorities
    type: ranking
    ranks: 3
    text: {fr: Classez vos trois priorités., en: Rank your three priorities.}
    choices:
      - {id: canteen, label: {fr: Cantine, en: Canteen}}
      - {id: boarding, label: {fr: Internat, en: Boarding}}
      - {id: digital, label: {fr: Numérique, en: Digital}}
      - {id: transport, label: {fr: Transports, en: Transport}}
  - id: canteen_why
    type: free_text
    when: {priorities: {first: canteen}}
    text: {fr: Pourquoi la cantine d'abord ?, en: Why the canteen first?}
  - id: order
    type: ranking
    text: {fr: Et ces deux-là ?, en: And these two?}
    choices:
      - {id: a, label: {fr: Alpha, en: Alpha}}
      - {id: b, label: {fr: Bêta, en: Beta}}
outro: {fr: Merci !, en: Thanks!}
"""


def flow():
    return parse_flow(FLOW, "lycees.yml")


def recorded(talk):
    return [e for e in talk.effects if isinstance(e, AnswerRecorded)]


def test_a_whole_ranking_in_one_message_is_stored_in_its_order():
    talk = Chat(flow())
    talk.consent()
    talk.send(Answer(("digital", "canteen", "boarding")), "1 numérique 2 cantine 3 internat")
    assert recorded(talk)[-1].value == ("digital", "canteen", "boarding")
    assert talk.question_id == "order"  # the first is not the canteen: no "why"


def test_one_pick_at_a_time_keeps_the_remaining_choices_as_buttons():
    talk = Chat(flow())
    talk.consent()
    first = talk.send(Answer(("canteen",)), "canteen")
    assert talk.question_id == "priorities"
    assert not recorded(talk)
    (reply,) = first.replies
    assert reply.text == "Pour l'instant : Cantine. Et en n° 2 ?"
    assert payloads(reply) == ["boarding", "digital", "transport"]
    second = talk.send(Answer(("transport",)), "transport")
    assert payloads(second.replies[0]) == ["boarding", "digital"]
    assert "Cantine > Transports" in texts(second)
    talk.send(Answer(("boarding",)), "boarding")
    assert recorded(talk)[-1].value == ("canteen", "transport", "boarding")
    assert talk.question_id == "canteen_why"  # first: canteen


def test_back_takes_the_last_pick_off_and_a_fresh_full_ranking_replaces_the_picks():
    talk = Chat(flow())
    talk.consent()
    talk.send(Answer(("canteen",)), "cantine")
    talk.send(Answer(("digital",)), "numérique")
    back = talk.command("back")
    assert talk.state is not None
    assert talk.state.ranked == ("canteen",)
    assert payloads(back.replies[0]) == ["boarding", "digital", "transport"]
    talk.send(Answer(("boarding", "digital", "canteen")), "internat, numérique, cantine")
    assert recorded(talk)[-1].value == ("boarding", "digital", "canteen")


def test_a_pick_of_the_rest_after_the_first_completes_the_ranking():
    talk = Chat(flow())
    talk.consent()
    talk.send(Answer(("canteen",)), "cantine")
    talk.send(Answer(("digital", "boarding")), "numérique puis internat")
    assert recorded(talk)[-1].value == ("canteen", "digital", "boarding")


def test_too_many_is_refused_with_the_number_to_rank():
    talk = Chat(flow())
    talk.consent()
    refused = talk.send(Answer(("canteen", "boarding", "digital", "transport")), "tout")
    assert texts(refused).startswith("Il faut en classer 3, pas davantage.")
    assert talk.question_id == "priorities"
    assert not recorded(talk)


def test_the_last_choice_left_takes_the_last_rank():
    talk = Chat(flow())
    talk.consent()
    talk.send(Answer(("digital", "canteen", "boarding")), "…")
    talk.send(Answer(("b",)), "Bêta")
    assert recorded(talk)[-1].value == ("b", "a")
    assert talk.status == "completed"


def test_the_question_says_how_to_rank_and_offers_every_choice():
    talk = Chat(flow())
    shown = talk.consent()
    question = shown.replies[-1]
    assert "Classez-en 3, la plus importante d'abord" in question.text
    assert "« 1 Cantine 2 Internat »" in question.text
    assert payloads(question) == ["canteen", "boarding", "digital", "transport"]
    assert not question.multi_select


def test_fit_keeps_the_order_and_refuses_repeats():
    question = flow().question("priorities")
    assert fit(question, ("digital", "canteen")) == Answer(("digital", "canteen"))
    assert fit(question, ("digital", "digital")) == Reject("not_understood")
    assert fit(question, ("x",)) == Reject("not_understood")
    assert fit(question, ("canteen", "boarding", "digital", "transport")) == Reject("too_many")
    assert question_spec(question, "fr").ranks == 3
    assert describe(question, ("digital", "canteen"), "en") == "Digital > Canteen"


def test_first_looks_at_the_first_choice_only():
    first = Compare("priorities", "first", "canteen")
    assert evaluate(first, {"priorities": ("canteen", "digital")})
    assert not evaluate(first, {"priorities": ("digital", "canteen")})
    assert evaluate(Compare("priorities", "eq", "canteen"), {"priorities": ("digital", "canteen")})
    assert not evaluate(first, {"priorities": None})


def test_a_half_done_ranking_survives_the_state_round_trip():
    state = SessionState(language="fr", status="asking", question_id="priorities")
    half = SessionState.from_json({**state.to_json(), "ranked": ["canteen"]})
    assert half.ranked == ("canteen",)
    assert SessionState.from_json(half.to_json()) == half
    old = state.to_json()
    del old["ranked"]  # a state saved before rankings existed
    assert SessionState.from_json(old).ranked == ()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("ranks: 3", "ranks is 5 but the question has only 2 choices"),
        ("first: [a]", "'first' compares with one value, got a list"),
        ("eq_list", "'eq' compares with one value, got a list. Hint: to accept any of"),
        ("first_on_choice", "'first' looks at the first choice of a ranking"),
        ("other", "'other' applies to choice and multi_choice questions, not to a ranking"),
    ],
)
def test_validation_explains_ranking_mistakes(change, message):
    text = {
        "ranks: 3": FLOW.replace("ranks: 3", "ranks: 5").replace(
            "      - {id: digital, label: {fr: Numérique, en: Digital}}\n"
            "      - {id: transport, label: {fr: Transports, en: Transport}}\n",
            "",
        ),
        "first: [a]": FLOW.replace("{first: canteen}", "{first: [canteen]}"),
        "eq_list": FLOW.replace("{first: canteen}", "{eq: [canteen, digital]}"),
        "first_on_choice": FLOW.replace(
            "    type: ranking\n    ranks: 3", "    type: multi_choice"
        ),
        "other": FLOW.replace(
            "label: {fr: Transports, en: Transport}}", "label: {fr: Autre, en: Other}, other: true}"
        ),
    }[change]
    with pytest.raises(FlowValidationError) as error:
        parse_flow(text, "lycees.yml")
    assert message in str(error.value)
