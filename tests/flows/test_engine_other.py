"""Other, please specify in the engine: the detail read with the answer is
stored with it; without one, it is asked right after; "passer" goes on without."""

import pytest

from flows.effects import AnswerRecorded, detail_id
from flows.engine import expecting
from flows.errors import FlowValidationError
from flows.loader import parse_flow
from flows.state import SessionState
from nlu.interpretation import Answer
from tests.flows.engine_flows import Chat, texts

FLOW = """
id: trajets
title: Trajets
languages: [fr]
consent: Acceptez-vous ?
questions:
  - id: modes
    type: multi_choice
    text: Comment venez-vous ?
    choices:
      - {id: bus, label: Bus}
      - {id: carpool, label: Covoiturage}
      - {id: other, label: Autre, other: true}
  - id: main
    type: choice
    text: Et le plus souvent ?
    choices:
      - {id: bus, label: Bus}
      - {id: other, label: Autre moyen, other: true}
  - {id: age, type: number, text: Votre âge ?}
outro: Merci !
"""


def chat() -> Chat:
    talk = Chat(parse_flow(FLOW, "trajets.yml"))
    talk.consent()
    return talk


def recorded(talk: Chat) -> list[AnswerRecorded]:
    return [e for e in talk.effects if isinstance(e, AnswerRecorded)]


def test_a_detail_read_with_the_answer_is_stored_with_it():
    talk = chat()
    said = "le covoit et autre chose, la trottinette"
    shown = talk.send(Answer(("carpool", "other"), "la trottinette"), said)
    assert talk.question_id == "main"
    assert "Et le plus souvent ?" in texts(shown)
    (answer,) = recorded(talk)
    assert answer.value == ("carpool", "other")
    assert answer.detail == "la trottinette"
    assert answer.raw_text == said


def test_the_echo_says_the_detail_read_with_the_answer():
    talk = chat()
    shown = talk.send(
        Answer(("carpool", "other"), "la trottinette"), "covoit et autre, trottinette"
    )
    assert texts(shown).startswith("Noté : Covoiturage, Autre : la trottinette.\n")


def test_without_a_detail_it_is_asked_right_after_and_stored_with_the_answer():
    talk = chat()
    asked = talk.send(Answer(("other",)), "Autre")
    assert talk.question_id == "modes"
    assert texts(asked) == "Vous avez choisi « Autre » : précisez en quelques mots."
    assert [b.payload for b in asked.replies[0].buttons] == ["/skip"]
    assert expecting(talk.flow, talk.state, "fr").kind == "free_text"
    assert recorded(talk)[-1].detail is None  # the choice is kept meanwhile
    shown = talk.answer("La trottinette électrique")
    assert "Et le plus souvent ?" in texts(shown)
    assert recorded(talk)[-1].value == ("other",)
    assert recorded(talk)[-1].detail == "La trottinette électrique"


def test_the_detail_may_be_skipped():
    talk = chat()
    talk.send(Answer(("other",)), "Autre")
    shown = talk.command("skip")
    assert talk.question_id == "main"
    assert "Et le plus souvent ?" in texts(shown)
    assert recorded(talk)[-1].detail is None


def test_an_empty_detail_is_asked_again_kindly():
    talk = chat()
    talk.send(Answer(("bus", "other")), "bus et autre")
    again = talk.answer("   ")
    assert "Je n'ai pas reçu de précision" in texts(again)
    assert talk.question_id == "modes"


def test_a_choice_other_than_other_takes_no_detail():
    talk = chat()
    talk.send(Answer(("bus",), "ignored"), "bus")
    assert recorded(talk)[-1].detail is None
    assert talk.question_id == "main"


def test_a_single_choice_other_and_back_forgets_the_asking():
    talk = chat()
    talk.send(Answer(("bus",)), "bus")
    talk.send(Answer("other"), "autre")
    assert talk.state is not None
    assert talk.state.detail_asked
    talk.command("back")
    assert talk.state is not None
    assert not talk.state.detail_asked
    assert expecting(talk.flow, talk.state, "fr").kind == "choice"


def test_the_asking_survives_a_saved_state():
    talk = chat()
    talk.send(Answer(("other",)), "autre")
    assert talk.state is not None
    assert talk.state.detail_asked
    assert SessionState.from_json(talk.state.to_json()) == talk.state
    older = {k: v for k, v in talk.state.to_json().items() if k != "detail_asked"}
    assert SessionState.from_json(older).detail_asked is False


def test_the_detail_is_kept_beside_its_answer():
    assert detail_id("modes") == "modes.other"


def test_only_one_other_choice_per_question():
    doubled = FLOW.replace(
        "{id: bus, label: Bus}\n      - {id: carpool",
        "{id: bus, label: Bus, other: true}\n      - {id: carpool",
        1,
    )
    with pytest.raises(FlowValidationError) as raised:
        parse_flow(doubled, "f.yml")
    assert "only one choice marked 'other: true'" in str(raised.value)
