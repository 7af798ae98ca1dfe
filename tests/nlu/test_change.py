"""Asking to change an answer by its number, as residents write it."""

import pytest

from nlu.change import change_request


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("modifier la question 5", 5),
        ("Modifier la question 12", 12),
        ("je veux changer ma réponse 3", 3),
        ("corriger la n°7", 7),
        ("changer question 2 svp", 2),
        ("change answer 12", 12),
        ("edit question 4", 4),
        ("/modifier 6", 6),
    ],
)
def test_a_request_to_change_names_the_question(text, number):
    assert change_request(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "modifier",
        "il faut changer les horaires des bus",
        "je prends le bus 2 fois par jour",
        "il faut changer 2 bus sur 3",
        "question 5",
        "changer la question 0",
        "Il faudrait changer beaucoup de choses : " + "les horaires, " * 10 + "changer 2 bus",
    ],
)
def test_other_messages_are_not_requests(text):
    assert change_request(text) is None
