"""The language a first message greets in."""

import pytest

from nlu.greetings import Greetings
from nlu.interpreter import Interpreter


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("hello", "en"),
        ("Hello!", "en"),
        ("Hi there, I'd like to give my opinion", "en"),
        ("Good morning", "en"),
        ("bonjour", "fr"),
        ("Bonjour à vous !", "fr"),
        ("Salut, je viens pour le questionnaire", "fr"),
        ("coucou", "fr"),
        ("train", None),
        ("oui", None),
        ("je dis bonjour", None),  # a greeting opens the message or says nothing
        ("", None),
    ],
)
def test_the_bundled_greetings_tell_the_language(interpreter: Interpreter, text, language):
    assert interpreter.written_language(text) == language


def test_a_phrase_greeting_in_two_languages_tells_nothing():
    greetings = Greetings({"fr": ["salut", "hello"], "en": ["hello", "hi"]})
    assert greetings.language("hello") is None
    assert greetings.language("hi") == "en"
    assert greetings.language("salut") == "fr"


def test_the_longest_greeting_wins():
    greetings = Greetings({"fr": ["bon"], "en": ["bon voyage"]})
    assert greetings.language("bon voyage") == "en"
    assert greetings.language("bon appétit") == "fr"


def test_a_deployment_adds_its_own_greetings():
    extra = "nlu:\n- lookup: greeting_en\n  examples: |\n    - yo\n"
    assert Interpreter(extra_training=[extra]).written_language("yo!") == "en"
