"""Other, please specify: the words after an option marked `other` are the
answer's detail, in the resident's own spelling; the rest is read as usual."""

import pytest

from nlu import Answer, ChoiceOption, QuestionSpec, Reject
from nlu.other import split_other

CHOICES = (
    ChoiceOption("bike", ("Vélo ou trottinette", "vélo", "trottinette")),
    ChoiceOption("carpool", ("Covoiturage", "covoit")),
    ChoiceOption("bus", ("Bus",)),
    ChoiceOption("other", ("Autre (précisez)", "autre chose"), other=True),
)
MODES = QuestionSpec("multi_choice", choices=CHOICES)
MODE = QuestionSpec("choice", choices=CHOICES)
MODES_EN = QuestionSpec(
    "multi_choice",
    choices=(
        ChoiceOption("bus", ("Bus",)),
        ChoiceOption("car", ("Car",)),
        ChoiceOption("other", ("Other",), other=True),
    ),
)


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("autre : la trottinette", "la trottinette"),
        ("Autre - Le Rémi à la demande", "Le Rémi à la demande"),
        ("autre chose, la trottinette", "la trottinette"),
        ("autre (précisez) : mon cheval", "mon cheval"),
        ("autre, c'est le bateau", "le bateau"),
    ],
)
def test_the_words_after_other_are_the_detail(interpret, text, detail):
    assert interpret(text, MODE) == Answer("other", detail)


def test_options_named_before_other_are_kept(interpret):
    said = "le covoit et autre chose, la trottinette"
    assert interpret(said, MODES) == Answer(("carpool", "other"), "la trottinette")
    said = "bus and other: my horse"
    assert interpret(said, MODES_EN, "en") == Answer(("bus", "other"), "my horse")


def test_other_alone_has_no_detail(interpret):
    assert interpret("autre", MODE) == Answer("other")
    assert interpret("other", MODE) == Answer("other")  # the button's payload
    assert interpret("vélo et autre", MODES) == Answer(("bike", "other"))


def test_another_is_not_the_option(interpret):
    assert split_other("un autre bus", MODES) is None
    assert split_other("une autre fois, le bus", MODES) is None


def test_questions_without_other_read_as_before(interpret):
    plain = QuestionSpec("choice", choices=CHOICES[:3])
    assert split_other("autre : la trottinette", plain) is None
    assert interpret("autre", plain) == Reject("not_understood")


def test_the_detail_keeps_the_residents_spelling():
    split = split_other("AUTRE:   Le TER, souvent en retard !", MODES)
    assert split is not None
    assert split.head == "AUTRE"
    assert split.detail == "Le TER, souvent en retard !"


# -- exclusive choices ("Aucune", "Je ne sais pas") ---------------------------

PRIORITIES = QuestionSpec(
    "multi_choice",
    choices=(
        ChoiceOption("canteen", ("Cantine locale", "cantine")),
        ChoiceOption("boarding", ("Internats", "internat")),
        ChoiceOption("none", ("Aucune en particulier",), exclusive=True),
        ChoiceOption("dunno", ("Je ne sais pas",), exclusive=True),
    ),
    min_selections=2,
)


def test_an_exclusive_choice_is_an_answer_alone_whatever_the_minimum(interpret):
    assert interpret("aucune en particulier", PRIORITIES) == Answer(("none",))
    assert interpret("je ne sais pas", PRIORITIES) == Answer(("dunno",))


def test_an_exclusive_choice_with_others_is_refused_with_its_own_reason(interpret):
    assert interpret("cantine et je ne sais pas", PRIORITIES) == Reject("exclusive")
    assert interpret("cantine, internat, aucune en particulier", PRIORITIES) == Reject("exclusive")


def test_none_except_something_is_that_thing(interpret):
    assert interpret("aucune sauf la cantine et l'internat", PRIORITIES) == Answer(
        ("canteen", "boarding")
    )
    assert interpret("je ne sais pas, sauf la cantine et l'internat", PRIORITIES) == Answer(
        ("canteen", "boarding")
    )


# -- free text lengths -----------------------------------------------------------


def test_a_free_text_below_its_minimum_is_too_short(interpret):
    why = QuestionSpec("free_text", min_length=20)
    assert interpret("trop cher", why) == Reject("too_short")
    assert interpret("trop cher pour les familles", why) == Answer("trop cher pour les familles")


def test_a_command_below_the_minimum_is_still_a_command(interpret):
    from nlu import Command

    why = QuestionSpec("free_text", min_length=20)
    assert interpret("passer", why) == Command("skip")
    assert interpret("retour", why) == Command("back")
