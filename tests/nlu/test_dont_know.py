""" "I don't know" as the whole answer: the question's own don't-know option if
it has one, otherwise asked again; never a value, never the help command."""

import pytest

from nlu import Answer, Reject, dont_know
from nlu.dont_know import says_dont_know
from nlu.normalize import tokens

from .conftest import question

MODE = question("choice", [("car", "Voiture"), ("bus", "Bus ou car"), ("nsp", "Je ne sais pas")])
MODE_EN = question("choice", [("car", "Car"), ("bus", "Bus"), ("dk", "Don't know")])
CARE = question("multi_choice", [("doctor", "Médecin"), ("dentist", "Dentiste"), ("none", "Aucun")])


@pytest.mark.parametrize(
    "text",
    [
        "jsp",
        "chai pas",
        "aucune idee",
        "je sais pas trop",
        "jsais pas trop dsl",
        "je saurais pas dire",
    ],
)
def test_a_dont_know_picks_the_dont_know_option(interpret, text):
    assert interpret(text, MODE) == Answer("nsp")


@pytest.mark.parametrize("text", ["idk", "no clue tbh", "not sure", "dunno"])
def test_an_english_dont_know_picks_the_dont_know_option(interpret, text):
    assert interpret(text, MODE_EN, "en") == Answer("dk")


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("aucune idée", question("number", min=0, max=100)),  # not 0
        ("aucune idée", CARE),  # not the option "Aucun"
        ("jsp", question("scale", min=1, max=5)),
        ("je sais pas", question("date")),
        ("no idea", question("commune")),
        ("chais pas", question("choice", [("car", "Voiture"), ("bus", "Bus")])),
    ],
)
def test_without_such_an_option_it_is_asked_again(interpret, text, spec):
    assert isinstance(interpret(text, spec), Reject)


def test_a_dont_know_that_says_more_is_left_to_the_question():
    assert says_dont_know("euh franchement je sais pas")
    assert not says_dont_know("je sais pas si le bus passe encore")
    assert not says_dont_know("pas sur le bus")


@pytest.mark.parametrize(
    "text", ["euh jsp", "je sais pas trop franchement", "bof", "jsp du tout", "i dunno", "ok"]
)
def test_the_vocabulary_gate_agrees_with_the_phrase_search(text):
    # A message with a word outside the phrases and fillers skips the phrase
    # search (nlu.dont_know._VOCABULARY): it is what that search would find.
    words = tokens(text)
    searched = dont_know._only_phrases(
        [w for w in words if w not in dont_know._FILLERS]
    ) or dont_know._only_phrases(words)
    assert says_dont_know(text) == searched
