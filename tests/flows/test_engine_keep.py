""" "retour" then "oui" on a free-text question whose answer is shown again:
the resident confirms their text, they do not replace it by "oui"."""

from flows.effects import AnswerRecorded
from flows.loader import parse_flow
from nlu.interpretation import Answer, Reject
from tests.flows.engine_flows import Chat, texts

FLOW = """
id: idees
title: Idées
languages: [fr]
consent: Acceptez-vous ?
questions:
  - {id: idea, type: free_text, min_length: 10, text: Votre idée ?}
  - {id: age, type: number, text: Votre âge ?}
outro: Merci !
"""


def chat():
    talk = Chat(parse_flow(FLOW, "idees.yml"))
    talk.consent()
    talk.answer("Plus de bus le dimanche")
    back = talk.command("back")
    assert "Votre réponse était : Plus de bus le dimanche." in texts(back)
    return talk


def recorded(talk):
    return [e.value for e in talk.effects if isinstance(e, AnswerRecorded)]


def test_oui_keeps_the_text_shown():
    talk = chat()
    kept = talk.send(Reject("too_short"), "oui")  # "oui" is below min_length
    assert texts(kept).startswith("D'accord, je garde votre réponse.\nVotre âge ?")
    assert recorded(talk) == ["Plus de bus le dimanche"]  # nothing stored again
    assert talk.state is not None
    assert talk.state.answer("idea") == "Plus de bus le dimanche"
    assert talk.question_id == "age"


def test_a_new_text_replaces_it():
    talk = chat()
    talk.send(Answer("Des pistes cyclables partout"), "Des pistes cyclables partout")
    assert recorded(talk)[-1] == "Des pistes cyclables partout"
    assert talk.question_id == "age"


def test_oui_as_a_first_answer_is_an_answer_like_any_other():
    talk = Chat(parse_flow(FLOW.replace("min_length: 10, ", ""), "idees.yml"))
    talk.consent()
    talk.answer("oui")
    assert recorded(talk) == ["oui"]
