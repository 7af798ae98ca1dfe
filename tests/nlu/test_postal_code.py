import pytest

from nlu import Answer, Reject

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


@pytest.mark.parametrize("text", ["4100", "410000", "07 81 22 33 44", "SW1A 1AA", "Tours"])
def test_no_postal_code(interpret, text):
    assert interpret(text, POSTAL_CODE) == Reject("not_understood")


def test_two_codes_are_ambiguous(interpret):
    assert interpret("37000 ou 37100", POSTAL_CODE) == Reject("ambiguous")
