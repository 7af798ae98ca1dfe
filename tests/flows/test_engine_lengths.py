"""min_length beside max_length on free text: a short answer is kindly asked
again, with the expected length; the interpreter leaves room for commands."""

import pytest

from flows.errors import FlowValidationError
from flows.loader import parse_flow
from flows.question_spec import fit
from nlu.interpretation import Answer, Reject
from tests.flows.engine_flows import Chat, texts

FLOW = """
id: avis
title: Avis
languages: [fr]
consent: Acceptez-vous ?
questions:
  - id: why
    type: free_text
    min_length: 20
    max_length: 500
    text: Pourquoi ?
  - {id: age, type: number, text: Votre âge ?}
outro: Merci !
"""


def flow(text: str = FLOW):
    return parse_flow(text, "avis.yml")


def test_a_short_answer_is_asked_again_kindly_with_the_length_expected():
    chat = Chat(flow())
    chat.consent()
    again = chat.answer("Trop cher")
    assert chat.question_id == "why"
    assert texts(again).startswith(
        "Merci ! Pouvez-vous en dire un peu plus ? Quelques mots de plus nous aideront."
        " Écrivez votre réponse librement (de 20 à 500 caractères).\nPourquoi ?"
    )
    chat.answer("Trop cher pour les familles nombreuses")
    assert chat.question_id == "age"


def test_the_length_counts_the_text_without_its_surrounding_spaces():
    question = flow().question("why")
    assert fit(question, "   court   ") == Reject("too_short")
    assert fit(question, " " + "x" * 20 + " ") == Answer("x" * 20)


def test_a_minimum_alone_is_said_as_such():
    alone = FLOW.replace("    max_length: 500\n", "")
    chat = Chat(flow(alone))
    chat.consent()
    assert "(20 caractères au moins)" in texts(chat.answer("Non"))


def test_a_minimum_above_the_maximum_is_refused():
    with pytest.raises(FlowValidationError) as raised:
        flow(FLOW.replace("max_length: 500", "max_length: 10"))
    assert "min_length (20) is greater than max_length (10)" in str(raised.value)
