"""An ambiguous answer names the words and offers the choices they may mean;
on a yes/no question an undecided answer is told what is expected there."""

from flows.loader import parse_flow
from nlu.interpretation import Answer, Reject
from tests.flows.engine_flows import Chat, payloads, texts

FLOW = """
id: mobilite
title: Mobilité
languages: [fr]
consent: Acceptez-vous ?
questions:
  - id: mode
    type: choice
    text: Comment venez-vous ?
    choices:
      - {id: public, label: Transports en commun}
      - {id: on_demand, label: Transport à la demande}
      - {id: car, label: Voiture}
  - id: needs
    type: multi_choice
    text: Vos besoins ?
    choices:
      - {id: public, label: Transports en commun}
      - {id: on_demand, label: Transport à la demande}
      - {id: bike, label: Pistes cyclables}
  - {id: ok, type: yes_no, text: D'accord ?}
outro: Merci !
"""


def chat():
    talk = Chat(parse_flow(FLOW, "mobilite.yml"))
    talk.consent()
    return talk


def test_the_words_are_named_and_the_candidates_offered_as_buttons():
    talk = chat()
    said = talk.send(
        Reject("ambiguous", words="transports", options=("public", "on_demand")), "transports"
    )
    (which,) = said.replies
    assert which.text == "« transports » : Transports en commun, ou Transport à la demande ?"
    assert payloads(which) == ["public", "on_demand"]
    assert talk.question_id == "mode"
    talk.send(Answer("on_demand"), "on_demand")
    assert talk.question_id == "needs"


def test_two_choices_named_on_a_single_choice_question_say_one_answer_only():
    talk = chat()
    said = talk.send(
        Reject("ambiguous", words="bus … voiture", options=("public", "car")), "bus ou voiture"
    )
    assert texts(said) == "Une seule réponse ici : Transports en commun, ou Voiture ?"


def test_a_multiple_choice_names_the_candidates_and_asks_again():
    talk = chat()
    talk.send(Answer("car"), "car")
    said = talk.send(
        Reject("ambiguous", words="transports", options=("public", "on_demand")),
        "vélo et transports",
    )
    assert said.replies[0].text.startswith("« transports » : Transports en commun, ou")
    assert said.replies[0].buttons == ()
    assert said.replies[1].text.startswith("Vos besoins ?")


def test_without_candidates_or_after_three_tries_the_usual_hint():
    talk = chat()
    plain = talk.send(Reject("ambiguous"), "les deux")
    assert texts(plain).startswith("Votre réponse peut correspondre à plusieurs choix.")
    for _ in range(2):
        last = talk.send(Reject("ambiguous", words="transports", options=("public", "on_demand")))
    assert "Choisissez une réponse" in texts(last)


def test_an_undecided_yes_or_no_is_told_what_is_expected():
    talk = chat()
    talk.send(Answer("car"), "car")
    talk.send(Answer(("bike",)), "bike")
    said = talk.send(Reject("ambiguous"), "bof")
    assert texts(said).startswith(
        "Je n'ai pas pu lire un oui ou un non. Si vous hésitez, choisissez le plus proche de"
        " votre avis. Répondez par oui ou par non."
    )
    assert "plusieurs choix" not in texts(said)
