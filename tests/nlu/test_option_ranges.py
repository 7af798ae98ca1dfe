import datetime as dt
import math

import pytest

from nlu import Answer, Reject
from nlu.option_ranges import label_range

from .conftest import question

AGE = question(
    "choice",
    [("under18", "Moins de 18 ans"), ("18_25", "18 à 25 ans"), ("26_40", "26-40 ans"),
     ("41_60", "41 à 60 ans"), ("over60", "Plus de 60 ans")],
)  # fmt: skip
TIMES = question(
    "choice",
    [("never", "Jamais"), ("few", "1 à 2 fois par semaine"), ("some", "3 à 5 fois par semaine"),
     ("many", "6 fois ou plus")],
)  # fmt: skip


@pytest.mark.parametrize(
    ("label", "covered"),
    [("Moins de 18 ans", (-math.inf, 17)), ("18 à 25 ans", (18, 25)), ("26-40", (26, 40)),
     ("Plus de 60 ans", (61, math.inf)), ("6 fois ou plus", (6, math.inf)), ("3", (3, 3)),
     ("Vélo", None)],
)  # fmt: skip
def test_label_ranges(label, covered):
    assert label_range(label) == covered


@pytest.mark.parametrize(
    ("text", "option"),
    [("j'ai 22 ans", "18_25"), ("17 ans", "under18"), ("vingt-six ans", "26_40"),
     ("I am 70 years old", "over60"), ("plus de 60", "over60"), ("2", "18_25")],
)  # fmt: skip
def test_a_value_picks_the_option_that_holds_it(interpret, text, option):
    assert interpret(text, AGE) == Answer(option)


def test_counts(interpret):
    assert interpret("deux fois par semaine", TIMES) == Answer("few")
    assert interpret("une fois par semaine", TIMES) == Answer("few")
    assert interpret("10 fois", TIMES) == Answer("many")
    assert interpret("environ 4 fois", TIMES) == Answer("some")  # an estimate is the figure
    assert interpret("une dizaine de fois", TIMES) == Reject("approximate")


@pytest.mark.parametrize(
    ("text", "option"),
    [("j'ai la trentaine", "26_40"), ("quinquagénaire", "41_60"), ("in my fifties", "41_60")],
)
def test_an_age_said_by_its_decade_picks_the_range_that_holds_it(interpret, text, option):
    assert interpret(text, AGE) == Answer(option)


def test_a_decade_across_two_ranges_is_asked_again(interpret):
    assert isinstance(interpret("la soixantaine", AGE), Reject)


@pytest.mark.parametrize("text", ["bientot 60", "presque 41", "150"])
def test_an_age_about_to_change_or_past_any_age_is_asked_again(interpret, text):
    assert isinstance(interpret(text, AGE), Reject)


def test_a_birth_date_gives_its_year(interpret):
    assert interpret("né le 3 mars 1980", AGE, today=dt.date(2026, 6, 15)) == Answer("41_60")
