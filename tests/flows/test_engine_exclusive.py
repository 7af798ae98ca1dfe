"""Exclusive choices in the engine: "Aucune" alone is an answer (whatever
min_selections says), with others it is refused with a hint naming it."""

import pytest

from flows.effects import AnswerRecorded
from flows.errors import FlowValidationError
from flows.events import ChangeLanguage
from flows.loader import parse_flow
from flows.question_spec import fit
from nlu.interpretation import Answer, Reject
from tests.flows.engine_flows import Chat, texts

FLOW = """
id: priorites
title: {fr: Priorités, en: Priorities}
languages: [fr, en]
consent: {fr: Acceptez-vous ?, en: Do you agree?}
questions:
  - id: priorities
    type: multi_choice
    min_selections: 2
    text: {fr: Vos deux priorités ?, en: Your two priorities?}
    choices:
      - {id: canteen, label: {fr: Cantine, en: Canteen}}
      - {id: boarding, label: {fr: Internats, en: Boarding}}
      - {id: none, label: {fr: Aucune, en: None}, exclusive: true}
  - {id: age, type: number, text: {fr: Votre âge ?, en: Your age?}}
outro: {fr: Merci !, en: Thanks!}
"""


def flow():
    return parse_flow(FLOW, "priorites.yml")


def test_an_exclusive_choice_alone_is_taken_below_the_minimum():
    question = flow().question("priorities")
    assert fit(question, ("none",)) == Answer(("none",))
    assert fit(question, ("canteen",)) == Reject("too_few")


def test_an_exclusive_choice_with_others_is_refused():
    question = flow().question("priorities")
    assert fit(question, ("canteen", "none")) == Reject("exclusive")


def test_the_resident_is_told_which_choice_stands_alone():
    talk = Chat(flow())
    talk.consent()
    refused = talk.send(Answer(("canteen", "none")), "cantine et aucune")
    assert talk.question_id == "priorities"
    assert texts(refused).startswith(
        "« Aucune » ne se combine avec aucune autre réponse : répondez soit « Aucune »,"
        " soit d'autres choix."
    )
    talk.send(Answer(("none",)), "aucune")
    recorded = [e for e in talk.effects if isinstance(e, AnswerRecorded)]
    assert recorded[-1].value == ("none",)
    assert talk.question_id == "age"


def test_the_interpreters_reason_is_explained_in_english_too():
    talk = Chat(flow())
    talk.consent()
    talk.event(ChangeLanguage("en"))
    refused = talk.send(Reject("exclusive"), "canteen and none")
    assert '"None" cannot be combined with other answers' in texts(refused)


def test_exclusive_on_a_single_choice_question_is_refused():
    single = FLOW.replace("type: multi_choice\n    min_selections: 2", "type: choice")
    with pytest.raises(FlowValidationError) as raised:
        parse_flow(single, "f.yml")
    assert "'exclusive' applies to multi_choice questions only" in str(raised.value)
