"""The one language rule."""

from flows.language import pick_language


def test_the_first_offered_hint_wins_exactly_or_by_its_main_part():
    assert pick_language(("fr", "en"), "en") == "en"
    assert pick_language(("fr", "en"), "de", "en-GB", "fr") == "en"
    assert pick_language(("fr", "fr-BE"), "fr-BE") == "fr-BE"


def test_without_an_offered_hint_the_first_offered_language():
    assert pick_language(("fr", "en"), None, "", "de") == "fr"
    assert pick_language(("en", "fr")) == "en"
