import pytest

from nlu import Reject
from nlu.positions import position_range, positions
from nlu.stems import stems


@pytest.mark.parametrize(
    ("text", "picked"),
    [
        ("2", [1]),
        ("la troisième", [2]),
        ("premier choix", [0]),
        ("réponse b", [1]),
        ("the 4th one", [3]),
        ("la dernière", [4]),
        ("1, 3 et 5", [0, 2, 4]),
        ("les deux premiers", [0, 1]),
        ("les 2 derniers", [3, 4]),
        ("the first three", [0, 1, 2]),
    ],
)
def test_positions(text, picked):
    assert positions(stems(text), 5) == picked


def test_positions_past_the_end_are_out_of_range():
    assert positions(stems("la 7"), 5) == Reject("out_of_range")
    assert positions(stems("les 6 premiers"), 5) == Reject("out_of_range")


def test_other_words_mean_it_is_not_about_positions():
    assert positions(stems("le 2 roues"), 5) is None
    assert positions(stems("une fois par semaine"), 5) is None


def test_ranges():
    assert position_range("1-3", 5) == {0, 1, 2}
    assert position_range("de 2 à 4", 5) == {1, 2, 3}
    assert position_range("2-9", 5) == Reject("out_of_range")
    assert position_range("bus", 5) is None
