"""The engine's own texts exist in French and English, with the same blanks."""

import datetime as dt
import string

import pytest

from flows import messages
from flows.messages import format_date, language_name, say

KEYS = sorted(messages.TEXTS)


def blanks(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", KEYS)
def test_each_text_has_both_languages_with_the_same_blanks(key):
    fr, en = messages.TEXTS[key]
    assert fr.strip()
    assert en.strip()
    assert fr != en or len(fr) < 12  # short labels like "Bus" may coincide
    assert blanks(fr) == blanks(en)


def test_other_languages_fall_back_to_english():
    assert say("yes", "de") == "Yes"
    assert say("yes", "fr") == "Oui"


def test_dates_and_language_names():
    assert format_date(dt.date(2026, 6, 1), "fr") == "1er juin 2026"
    assert format_date(dt.date(2026, 8, 15), "fr") == "15 août 2026"
    assert format_date(dt.date(2026, 6, 1), "en") == "1 June 2026"
    assert language_name("en", "fr") == "anglais"
    assert language_name("fr", "en") == "French"
    assert language_name("br", "fr") == "br"
