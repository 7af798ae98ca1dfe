""" "I don't know" as the whole answer: the question's own don't-know option if
it has one, otherwise asked again; never a value, never the help command."""

import pytest

from nlu import Answer, Reject, dont_know
from nlu.dont_know import says_dont_know

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
        "je n'en ai pas la moindre idée",
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


def test_every_dont_know_phrase_is_read_as_one_as_typed():
    # Each phrase as a resident types it: the word gate that spares most
    # messages the phrase search (nlu.dont_know._VOCABULARY) lets every one through.
    for phrase in dont_know._PHRASE_TEXTS:
        assert says_dont_know(phrase), phrase
        assert says_dont_know(f"{phrase.capitalize()} !"), phrase
    assert says_dont_know("Euh, jsp franchement")
    assert not says_dont_know("jsp le bus")


@pytest.mark.parametrize(
    "text",
    [
        "euh pas la moindre idée",
        "Bah, pas la moindre idée franchement",
        "j'ai pas la moindre idée là",
    ],
)
def test_a_filler_that_is_also_a_phrase_word_keeps_the_phrase(interpret, text):
    # "la" is a filler ("là") and a word of "pas la moindre idée": each of these
    # was no don't-know while fillers were set aside before the phrase search.
    assert interpret(text, MODE) == Answer("nsp")


@pytest.mark.parametrize("text", ["euh pas la", "bah la idée", "alors la du tout"])
def test_fillers_around_no_whole_phrase_are_no_dont_know(text):
    assert not says_dont_know(text)
