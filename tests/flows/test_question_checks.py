"""The checks of one question (flows/question_checks.py): what is suggested for
an id that is not snake_case. The messages themselves are in tests/flows/invalid/."""

import pytest

from flows.question_checks import SNAKE_CASE, snake_case_of


@pytest.mark.parametrize(
    ("written", "suggested"),
    [
        ("Mode Transport", "mode_transport"),
        ("travelMode", "travel_mode"),
        ("électricité", "electricite"),
        ("Énergie 2027", "energie_2027"),
        ("l’énergie", "l_energie"),  # a typographic apostrophe, as word processors type it
        ("l'énergie", "l_energie"),
        ("Pompe à chaleur", "pompe_a_chaleur"),
        ("cœur", "coeur"),
        ("heat\u00a0pump", "heat_pump"),
        ("2030", "q_2030"),
    ],
)
def test_the_suggested_id_keeps_every_letter_without_its_accent(written, suggested):
    assert snake_case_of(written) == suggested
    assert SNAKE_CASE.fullmatch(suggested)
