"""A closed answer with a comment: the answer as usual, the rest of the
message as the comment when it says something of its own."""

import pytest

from nlu import Answer

from .conftest import question

YES_NO = question("yes_no")
MODE = question("choice", [("bus", "Bus"), ("train", "Train")])
SCALE = question("scale", min=1, max=5)
NEEDS = question("multi_choice", [("bus", "Bus"), ("train", "Train")])


@pytest.mark.parametrize(
    ("text", "spec", "expected"),
    [
        (
            "oui, surtout les conseillers départementaux",
            YES_NO,
            Answer(True, comment="surtout les conseillers départementaux"),
        ),
        ("oui mais en semaine", YES_NO, Answer(True, comment="mais en semaine")),
        ("non. Les maires suffisent !", YES_NO, Answer(False, comment="Les maires suffisent !")),
        ("le bus, surtout le matin", MODE, Answer("bus", comment="surtout le matin")),
        (
            "4, les bus sont souvent en retard",
            SCALE,
            Answer(4, comment="les bus sont souvent en retard"),
        ),
    ],
)
def test_the_rest_of_the_message_is_the_comment(interpret, text, spec, expected):
    assert interpret(text, spec) == expected


@pytest.mark.parametrize(
    ("text", "spec", "expected"),
    [
        ("oui, bien sûr", YES_NO, Answer(True)),  # emphasis only
        ("oui, merci", YES_NO, Answer(True)),
        ("oui, je suis d'accord", YES_NO, Answer(True)),  # the rest answers too
        ("non, pas du tout", YES_NO, Answer(False)),
        ("oui... non en fait non", YES_NO, Answer(False)),  # a correction, not a comment
        ("bus, enfin non, train", MODE, Answer("train")),
        ("4/5", SCALE, Answer(4)),
        ("bus, train", NEEDS, Answer(("bus", "train"))),  # lists take no comment
    ],
)
def test_no_comment_when_the_rest_says_nothing_of_its_own(interpret, text, spec, expected):
    assert interpret(text, spec) == expected


def test_english(interpret):
    assert interpret("yes, especially the county councillors", YES_NO, "en") == Answer(
        True, comment="especially the county councillors"
    )
