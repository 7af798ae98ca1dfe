"""The text catalogue: every language has every message, with the same blanks."""

import string

import pytest

from flows.catalogue import CATALOGUE, SECTIONS, Catalogue, load_catalogue
from flows.errors import CatalogueError

EN = """\
language_names: {fr: French, en: English}
dates:
  format: "{day} {month} {year}"
  first_day: "1"
  months: [Jan, Feb, Mar, Apr, May, Jun, Jul, Aug, Sep, Oct, Nov, Dec]
engine:
  yes: "Yes"
  closed: The consultation "{title}" ended on {date}.
service: {try_again: Try again.}
receipts: {none: No contribution yet.}
telegram: {edited: Edited.}
telegram_menu: {start: Start}
page: {title: Public consultation}
widget: {send: Send}
protocol: {bad_json: Frames must be JSON objects.}
poster: {call: Have your say}
"""
FR = """\
language_names: {fr: français, en: anglais}
dates:
  format: "{day} {month} {year}"
  first_day: 1er
  months: [janv, févr, mars, avr, mai, juin, juil, août, sept, oct, nov, déc]
engine:
  yes: Oui
  closed: La consultation « {title} » a pris fin le {date}.
service: {try_again: Réessayez.}
receipts: {none: Pas encore de contribution.}
telegram: {edited: Modifié.}
telegram_menu: {start: Commencer}
page: {title: Consultation citoyenne}
widget: {send: Envoyer}
protocol: {bad_json: Les trames doivent être des objets JSON.}
poster: {call: Donnez votre avis}
"""


def blanks(template):
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_the_shipped_catalogue_has_every_message_in_every_language():
    catalogue = load_catalogue()
    assert catalogue.languages[0] == "en"
    assert {"fr", "en"} <= set(catalogue.languages)
    for section in SECTIONS:
        for key in catalogue.keys(section):
            texts = [catalogue.texts[lang][section].get(key) for lang in catalogue.languages]
            assert all(text and text.strip() for text in texts), (section, key)
            assert len({frozenset(blanks(text)) for text in texts}) == 1, (section, key)


def test_a_message_missing_in_one_language_is_an_error_naming_it():
    without = FR.replace("  closed: La consultation « {title} » a pris fin le {date}.\n", "")
    with pytest.raises(CatalogueError) as caught:
        Catalogue.parse({"en": EN, "fr": without})
    assert str(caught.value) == (
        "texts/fr.yml:6: engine.closed is missing. Hint: translate it from texts/en.yml"
    )


def test_a_translation_with_other_blanks_is_an_error():
    renamed = FR.replace("le {date}", "le {jour}")
    with pytest.raises(CatalogueError) as caught:
        Catalogue.parse({"en": EN, "fr": renamed})
    assert (
        "engine.closed has different blanks by language (en: date, title; fr: jour, title)"
        in str(caught.value)
    )


def test_a_duplicated_key_is_reported_with_its_line():
    twice = FR.replace("  yes: Oui\n", "  yes: Oui\n  yes: Si\n")
    with pytest.raises(CatalogueError) as caught:
        Catalogue.parse({"en": EN, "fr": twice})
    assert "texts/fr.yml:8: the key 'yes' appears twice here (first on line 7)" in str(caught.value)


def test_a_new_language_is_a_new_file():
    de = FR.replace("Oui", "Ja").replace(
        "La consultation « {title} » a pris fin le {date}.", "„{title}“ endete am {date}."
    )
    catalogue = Catalogue.parse({"en": EN, "fr": FR, "de": de})
    assert catalogue.languages == ("en", "de", "fr")
    assert catalogue.text("engine", "yes", "de-AT") == "Ja"
    assert catalogue.text("engine", "yes", "es") == "Yes"
    assert catalogue.text("engine", "yes", "es", "fr") == "Oui"


def test_the_module_catalogue_is_the_shipped_one():
    assert CATALOGUE.text("engine", "yes", "fr") == "Oui"
    assert CATALOGUE.text("protocol", "too_long", "fr", limit=10) == (
        "Un message compte au plus 10 caractères."
    )


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("fr", "fr"),
        ("Français", "fr"),
        ("francais", "fr"),
        ("french", "fr"),
        ("EN", "en"),
        ("anglais", "en"),
        ("English", "en"),
        ("klingon", None),
        ("", None),
    ],
)
def test_a_language_is_named_by_its_code_or_its_name_in_any_catalogue_language(word, code):
    assert CATALOGUE.language_named(word) == code


@pytest.mark.parametrize(
    ("tag", "code"),
    [("fr", "fr"), ("fr-BE", "fr"), ("EN-gb", "en"), ("de-DE", None), ("", None), (None, None)],
)
def test_a_platform_language_tag_gives_the_catalogue_language_of_its_primary_subtag(tag, code):
    assert CATALOGUE.language_tagged(tag) == code
