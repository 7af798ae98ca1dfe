"""A multiple choice's message says how many boxes its answer takes, as the
flow says, so that a channel refuses the tick past the maximum at once: when
asked, asked again, after an echo line, and stored for a redelivery."""

from flows.loader import parse_flow
from flows.replies import Reply
from tests.flows.engine_flows import Chat

FLOW = """
id: mobilite
title: Mobilité
languages: [fr]
consent: Acceptez-vous ?
questions:
  - {id: km, type: number, text: Combien de km ?}
  - id: modes
    type: multi_choice
    min_selections: 2
    max_selections: 3
    text: Vos modes ?
    choices:
      - {id: bike, label: Vélo}
      - {id: bus, label: Bus}
      - {id: train, label: Train}
      - {id: car, label: Voiture}
  - {id: extras, type: multi_choice, text: Et ?, choices: [{id: a, label: A}, {id: b, label: B}]}
  - {id: main, type: choice, text: Lequel ?, choices: [{id: a, label: A}, {id: b, label: B}]}
outro: Merci !
"""


def selections(reply: Reply) -> tuple[int | None, int | None]:
    return reply.min_selections, reply.max_selections


def test_a_multiple_choice_says_its_minimum_and_maximum_wherever_it_is_asked():
    talk = Chat(parse_flow(FLOW, "mobilite.yml"))
    talk.consent()
    said = talk.answer(12, "une douzaine")  # "Noté : 12." before the question
    assert said.replies[0].text.startswith("Noté : 12.\nVos modes ?")
    assert said.replies[-1].multi_select
    assert selections(said.replies[-1]) == (2, 3)
    again = talk.answer(("bike", "bus", "train", "car"))  # refused: asked again
    assert talk.question_id == "modes"
    assert selections(again.replies[-1]) == (2, 3)
    assert selections(talk.answer(("bike", "bus")).replies[-1]) == (None, None)  # none set
    assert selections(talk.answer(("a",)).replies[-1]) == (None, None)  # a single choice


def test_a_stored_reply_keeps_them_and_one_stored_before_has_none():
    asked = Chat(parse_flow(FLOW, "mobilite.yml"))
    asked.consent()
    question = asked.answer(12).replies[-1]
    assert Reply.from_json(question.to_json()) == question
    before = {"text": "Vos modes ?", "buttons": [["Vélo", "bike"]], "multi_select": True}
    assert selections(Reply.from_json(before)) == (None, None)
