"""Asking where one's contribution is, in words or with its receipt code, is the
`status` command on any question; words shaped like a code, or an opinion
about contributions in general, stay answers."""

import pytest

from nlu import Answer, Command
from nlu.command_frames import receipt_code
from tests.nlu.conftest import question

FREE_TEXT = question("free_text")
MODE = question("choice", [("car", "Voiture"), ("bike", "Vélo"), ("hitch", "Auto-stop")])
YES_NO = question("yes_no")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("où en est ma contribution ?", "fr"),
        ("Ma contribution a été publiée ?", "fr"),
        ("qu'est devenue ma contribution", "fr"),
        ("statut", "fr"),
        ("/statut", "fr"),
        ("MOB-7K3Q", "fr"),
        ("mob-7k3q ?", "fr"),
        ("where is my contribution?", "en"),
        ("has my contribution been published", "en"),
    ],
)
@pytest.mark.parametrize("spec", [FREE_TEXT, MODE, YES_NO], ids=["free_text", "choice", "yes_no"])
def test_asking_where_ones_contribution_is(interpret, text, lang, spec):
    assert interpret(text, spec, lang) == Command("status")


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("auto-stop", MODE),  # a word with a dash is no code: a code's second part starts 2-9
        ("demi-tour", FREE_TEXT),
        ("il faudrait publier toutes les contributions en ligne", FREE_TEXT),
    ],
)
def test_code_like_words_and_opinions_stay_answers(interpret, text, spec):
    assert isinstance(interpret(text, spec), Answer)


def test_a_receipt_code_is_read_in_upper_case_without_its_punctuation():
    assert receipt_code(" mob-7k3q ? ") == "MOB-7K3Q"
    assert receipt_code("MOB-7K3Q et autre chose") is None
    assert receipt_code("MOB-AK3Q") is None
