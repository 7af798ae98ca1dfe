import pytest

from nlu import Answer
from nlu.pictographs import EmojiNames

from .conftest import question

MODES_FR = question(
    "multi_choice", [("car", "Voiture"), ("train", "Train"), ("bike", "Vélo"), ("walk", "À pied")]
)
MODES_EN = question(
    "choice", [("car", "Car"), ("train", "Train"), ("bike", "Bike"), ("walk", "On foot")]
)


def test_emoji_become_their_names_in_the_language():
    names = EmojiNames(["fr", "en"])
    assert names.spelt_out("🚲", "fr").split() == ["vélo"]
    assert names.spelt_out("🚲", "en").split() == ["bicycle"]
    assert names.spelt_out("plain text, é à", "fr") == "plain text, é à"
    assert names.spelt_out("2️⃣", "fr") == "2"


@pytest.mark.parametrize(
    ("text", "picked"),
    [("🚗🚆", ("car", "train")), ("🚶 + 🚲", ("bike", "walk")), ("🚗", ("car",))],
)
def test_emoji_pick_options_in_french(interpret, text, picked):
    assert interpret(text, MODES_FR) == Answer(picked)


@pytest.mark.parametrize(("text", "picked"), [("🚗", "car"), ("🚶", "walk"), ("🚲", "bike")])
def test_emoji_pick_options_in_english(interpret, text, picked):
    assert interpret(text, MODES_EN, "en") == Answer(picked)


def test_leisure_emoji_name_leisure_options(interpret):
    leisure = question(
        "multi_choice",
        [("cinema", "Cinéma"), ("library", "Bibliothèque"), ("concerts", "Concerts")],
    )
    assert interpret("🎬🎵", leisure) == Answer(("cinema", "concerts"))
    leisure_en = question("choice", [("cinema", "Cinema"), ("library", "Library")])
    assert interpret("🎬", leisure_en, "en") == Answer("cinema")


def test_only_the_names_of_the_emoji_each_once():
    names = EmojiNames(["fr", "en"])
    assert names.names_only("je prends le 🚲 🚲 et le 🚆", "fr").split() == ["vélo", "train"]
    assert names.names_only("plain text, é à", "fr") == ""
    assert names.names_only("⬅️ retour", "fr") != ""  # named, though it names no option
