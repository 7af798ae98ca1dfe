"""The language a first message is written in, when it greets in none."""

import pytest

from nlu.interpreter import Interpreter


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I want to give my opinion on buses", "en"),
        ("Is this the survey about transport?", "en"),
        ("we need more trains in the evening", "en"),
        ("AI in schools would help", "en"),  # "ai" is no French word here
        ("Je voudrais donner mon avis sur les bus", "fr"),
        ("il faut plus de trains le soir", "fr"),
        ("y a-t-il un bus le dimanche ?", "fr"),
        ("bus", None),
        ("ok", None),
        ("yes", None),  # one word is not enough
        ("Le bus is late", None),  # as many of each
        ("Orléans Tours", None),
        ("", None),
    ],
)
def test_the_words_of_a_message_tell_its_language(interpreter: Interpreter, text, language):
    assert interpreter.written_language(text) == language


def test_a_greeting_says_it_first(interpreter: Interpreter):
    assert interpreter.written_language("Hello, je voudrais donner mon avis") == "en"
    assert interpreter.written_language("Bonjour, I want to give my opinion") == "fr"
