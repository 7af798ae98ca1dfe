import pytest

from nlu import Answer, Candidate, Confirm, Reject

from .conftest import question

POSTAL_CODE = question("postal_code")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("41000", "41000"),
        ("41 000", "41000"),
        ("c'est le 36000 à Châteauroux", "36000"),
        ("code postal: 28000", "28000"),
        ("dix-huit mille", "18000"),
        ("75015", "75015"),
    ],
)
def test_real_postal_codes(interpret, text, code):
    assert interpret(text, POSTAL_CODE) == Answer(code)


def test_five_digits_that_are_no_postal_code(interpret):
    assert interpret("12345", POSTAL_CODE) == Reject("unknown_postal_code")


@pytest.mark.parametrize("text", ["4100", "410000", "07 81 22 33 44", "SW1A 1AA", "Poudlard"])
def test_no_postal_code(interpret, text):
    assert interpret(text, POSTAL_CODE) == Reject("not_understood")


def test_two_codes_are_ambiguous(interpret):
    assert interpret("37000 ou 37100", POSTAL_CODE) == Reject("ambiguous")


@pytest.mark.parametrize(("text", "code"), [("37.000", "37000"), ("3 7 0 0 0", "37000")])
def test_dotted_and_spaced_digits(interpret, text, code):
    assert interpret(text, POSTAL_CODE) == Answer(code)


def test_a_commune_with_one_postal_code_gives_it(interpret):
    assert interpret("Amboise", POSTAL_CODE) == Answer("37400")
    assert interpret("j'habite à Vierzon", POSTAL_CODE) == Answer("18100")


def test_a_commune_with_several_postal_codes_asks_which(interpret):
    got = interpret("Tours", POSTAL_CODE)
    assert got == Confirm(
        (
            Candidate("37000", "37000 Tours"),
            Candidate("37100", "37100 Tours"),
            Candidate("37200", "37200 Tours"),
        ),
        "homonyms",
    )
