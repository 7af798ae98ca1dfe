import pytest

from nlu import Answer, Command, Reject
from nlu.yes_no import YesNoParser

from .conftest import question

YES_NO = question("yes_no")


@pytest.mark.parametrize(
    "text",
    [
        "oui",
        "Ouais !",
        "ouiiii",
        "bien sûr",
        "d'accord",
        "je pense que oui",
        "👍",
        "si si",
        "yes",
        "yep",
        "sure",
        "of course",
        "absolutely",
        "OK",
    ],
)
def test_yes(text):
    assert YesNoParser().parse(text) == Answer(True)


@pytest.mark.parametrize(
    "text",
    [
        "non",
        "NAN",
        "nope",
        "pas vraiment",
        "je ne crois pas",
        "pas du tout d'accord",
        "carrément pas",
        "absolutely not",
        "not really",
        "no thanks",
        "jamais",
        "👎",
    ],
)
def test_no(text):
    assert YesNoParser().parse(text) == Answer(False)


@pytest.mark.parametrize("text", ["peut-être", "je sais pas", "oui et non", "it depends", "blabla"])
def test_neither_yes_nor_no_is_rejected(text):
    assert isinstance(YesNoParser().parse(text), Reject)


def test_the_first_clause_answers_and_the_rest_is_comment():
    assert YesNoParser().parse("oui mais pas le dimanche") == Answer(True)
    assert YesNoParser().parse("non, jamais de la vie, c'est trop cher") == Answer(False)


def test_a_correction_makes_the_last_word_count():
    assert YesNoParser().parse("oui, enfin non") == Answer(False)
    assert YesNoParser().parse("no wait, actually yes") == Answer(True)


def test_no_on_a_yes_no_question_is_an_answer_never_the_stop_command(interpret):
    for text in ("non", "no", "non merci", "non, stop"):
        assert isinstance(interpret(text, YES_NO), Answer)


def test_button_payloads_work_in_any_conversation_language(interpret):
    assert interpret("yes", YES_NO, "fr") == Answer(True)
    assert interpret("no", YES_NO, "fr") == Answer(False)
    assert interpret("oui", YES_NO, "en") == Answer(True)


def test_commands_still_work_on_yes_no_questions(interpret):
    assert interpret("stop", YES_NO) == Command("stop")
    assert interpret("je veux parler à un humain", YES_NO) == Command("human")


def test_a_correction_that_ends_undecided_is_no_answer():
    parser = YesNoParser()
    assert parser.parse("ouais... enfin non, chais pas") == Reject("ambiguous")
    assert parser.parse("yes, actually no, not sure") == Reject("ambiguous")
    assert parser.parse("oui... non en fait non") == Answer(False)


@pytest.mark.parametrize(
    "text",
    ["oui mais non", "yes but no", "non mais oui", "pas forcément", "no clue", "not necessarily"],
)
def test_contradictions_and_hedges_are_no_answer(text):
    assert isinstance(YesNoParser().parse(text), Reject)


def test_a_but_clause_that_says_more_keeps_the_answer():
    assert YesNoParser().parse("oui mais pas le dimanche") == Answer(True)
    assert YesNoParser().parse("bien sûr que non") == Answer(False)


@pytest.mark.parametrize("text", ["plus maintenant", "not anymore", "avant oui, plus maintenant"])
def test_no_longer_is_no(text):
    assert YesNoParser().parse(text) == Answer(False)


@pytest.mark.parametrize("text", ["not at the moment", "pas pour l'instant"])
def test_not_now_is_no(text):
    assert YesNoParser().parse(text) == Answer(False)
