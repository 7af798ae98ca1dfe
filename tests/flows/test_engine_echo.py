"""What was recorded is said back when the reading was not literal (a
synonym, several choices read from a sentence, a number in words), on one
line before the next message; never for a button or an exact label."""

import pytest

from flows.echo import literal
from flows.loader import parse_flow
from tests.flows.engine_flows import Chat

FLOW = """
id: mobilite
title: Mobilité
languages: [fr]
consent: Acceptez-vous ?
questions:
  - id: modes
    type: multi_choice
    text: Vos modes ?
    choices:
      - {id: bike, label: Vélo}
      - {id: carpool, label: Covoiturage, synonyms: {fr: [covoit]}}
      - {id: bus, label: Bus}
  - {id: km, type: number, text: Combien de km ?}
  - {id: note, type: scale, min: 1, max: 5, text: Votre note ?}
  - {id: ok, type: yes_no, text: D'accord ?}
outro: Merci !
"""


def flow():
    return parse_flow(FLOW, "mobilite.yml")


def first_line(transition):
    return transition.replies[0].text.split("\n", 1)[0]


def test_choices_read_from_a_sentence_are_said_back():
    talk = Chat(flow())
    talk.consent()
    said = talk.answer(("bike", "carpool"), "le vélo et puis le covoit des fois")
    assert first_line(said) == "Noté : Vélo, Covoiturage."
    assert said.replies[0].text.endswith("Combien de km ?")


def test_a_number_in_words_is_said_back_and_digits_are_not():
    talk = Chat(flow())
    talk.consent()
    talk.answer(("bus",), "bus")
    said = talk.answer(12, "une douzaine, enfin douze")
    assert first_line(said) == "Noté : 12."
    said = talk.answer(4, "4")
    assert first_line(said) == "D'accord ?"


@pytest.mark.parametrize("text", ["bike, carpool", "Vélo, Covoiturage", "covoiturage et vélo"])
def test_buttons_and_exact_labels_are_not_said_back(text):
    talk = Chat(flow())
    talk.consent()
    said = talk.answer(("bike", "carpool"), text)
    assert first_line(said) == "Combien de km ?"


def test_yes_no_is_never_said_back():
    talk = Chat(flow())
    talk.consent()
    for value, text in ((("bus",), "bus"), (3, "3"), (2, "2")):
        talk.answer(value, text)
    said = talk.answer(True, "ouais carrément")
    assert "Noté" not in said.replies[0].text
    assert literal(flow().question("modes"), ("carpool",), "COVOITURAGE")
    assert not literal(flow().question("modes"), ("carpool",), "covoit")


def test_a_ranking_picked_with_buttons_is_not_said_back_but_typed_in_words_is():
    ranking = parse_flow(
        FLOW.replace("type: multi_choice", "type: ranking"), "mobilite.yml"
    ).question("modes")
    assert literal(ranking, ("bike", "carpool", "bus"), "Vélo > Covoiturage > Bus")
    assert not literal(ranking, ("bike", "carpool", "bus"), "Covoiturage, Vélo, Bus")
    assert not literal(ranking, ("bike", "carpool"), "le vélo puis le covoit")
