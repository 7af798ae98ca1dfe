"""Reading a ranking: the options named, in the resident's order."""

import pytest

from nlu import Answer, Command, Reject

from .conftest import question

PRIORITIES = question(
    "ranking",
    [
        ("canteen", "Cantine"),
        ("boarding", "Internat"),
        ("digital", "Numérique"),
        ("transport", "Transports scolaires"),
    ],
    ranks=3,
)
PRIORITIES_EN = question(
    "ranking",
    [("canteen", "Canteen"), ("boarding", "Boarding"), ("digital", "Digital")],
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 cantine 2 internat 3 numérique", ("canteen", "boarding", "digital")),
        ("1. Numérique\n2. Cantine\n3. Internat", ("digital", "canteen", "boarding")),
        ("cantine puis internat", ("canteen", "boarding")),
        ("d'abord les transports, ensuite la cantine", ("transport", "canteen")),
        ("2 internat, 1 cantine", ("canteen", "boarding")),
        ("cantine en premier, internat en deuxième", ("canteen", "boarding")),
        ("3, 1, 2", ("digital", "canteen", "boarding")),
        ("la cantinne puis le numerique", ("canteen", "digital")),
        ("internat", ("boarding",)),
    ],
)
def test_the_order_is_the_residents(interpret, text, expected):
    assert interpret(text, PRIORITIES) == Answer(expected)


def test_a_button_payload_is_one_pick(interpret):
    assert interpret("transport", PRIORITIES) == Answer(("transport",))
    assert interpret("Internat", PRIORITIES) == Answer(("boarding",))


def test_english(interpret):
    assert interpret("1 digital 2 canteen", PRIORITIES_EN, "en") == Answer(("digital", "canteen"))
    assert interpret("boarding then digital", PRIORITIES_EN, "en") == Answer(
        ("boarding", "digital")
    )


def test_each_option_once(interpret):
    assert interpret("cantine, internat et encore la cantine", PRIORITIES) == Answer(
        ("canteen", "boarding")
    )


def test_more_than_the_ranks_is_too_many(interpret):
    assert interpret("cantine internat numérique transports", PRIORITIES) == Reject("too_many")


def test_nothing_named_is_not_understood_and_commands_stay_commands(interpret):
    assert interpret("je sais pas trop", PRIORITIES) == Reject("not_understood")
    assert interpret("/aide", PRIORITIES) == Command("help")
    assert interpret("retour", PRIORITIES) == Command("back")


ENERGY = question(
    "ranking",
    [
        ("renovation", "Rénovation des logements"),
        ("solar_farms", "Parcs solaires"),
        ("wind", "Éoliennes"),
        ("biogas", "Méthanisation"),
    ],
    ranks=3,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 rénovation 2 éoliennes 3 méthanisation", ("renovation", "wind", "biogas")),
        ("la méthanisation puis les éoliennes", ("biogas", "wind")),
        ("les éoliennes", ("wind",)),
    ],
)
def test_choices_of_one_lexicon_group_are_told_apart_by_their_own_words(interpret, text, expected):
    # "énergies renouvelables" lists éoliennes and méthanisation together.
    assert interpret(text, ENERGY) == Answer(expected)
