"""The engine's texts come from the catalogue, in the resident's language."""

import datetime as dt

from flows.messages import format_date, language_name, say


def test_engine_texts_in_the_conversation_language():
    assert say("yes", "fr") == "Oui"
    assert say("not_open", "en", title="Bus", date="1 June 2026") == (
        'The consultation "Bus" opens on 1 June 2026. Please come back then!'
    )


def test_a_language_the_catalogue_lacks_falls_back_to_english():
    assert say("yes", "de") == "Yes"


def test_dates_and_language_names():
    assert format_date(dt.date(2026, 6, 1), "fr") == "1er juin 2026"
    assert format_date(dt.date(2026, 8, 15), "fr") == "15 août 2026"
    assert format_date(dt.date(2026, 6, 1), "en") == "1 June 2026"
    assert format_date(dt.date(2026, 6, 1), "de") == "1 June 2026"
    assert language_name("en", "fr") == "anglais"
    assert language_name("fr", "en") == "French"
    assert language_name("br", "fr") == "br"
