import sys

import pytest

from nlu import Command
from nlu.commands import SLASH_CHARS, CommandClassifier, command_for_intent, slash_command
from nlu.normalize import fold

from .conftest import question


def test_slash_commands_with_or_without_the_bot_name():
    assert slash_command("/supprimer") == "delete_data"
    assert slash_command("/HELP@consult_bot") == "help"
    assert slash_command("/unknown") is None
    assert slash_command("help") is None


@pytest.mark.parametrize(
    ("intent", "command"),
    [
        ("stop", "stop"),
        ("delete_data", "delete_data"),
        ("human_handoff", "human"),
        ("greet", None),
        ("answer", None),
    ],
)
def test_rasa_intent_names(intent, command):
    assert command_for_intent(intent) == command


def test_the_classifier_learns_from_examples_and_its_answer_class():
    classifier = CommandClassifier(
        {
            "stop": ["arrête", "je veux arrêter", "stop"],
            "help": ["aide", "je ne comprends pas"],
            "answer": ["stop aux bouchons", "arrêtez les travaux"],
        }
    )
    assert classifier.score("je veux arreter").command == "stop"
    assert classifier.score("j'comprends pas").command == "help"
    assert classifier.score("stop aux bouchons sur la rocade").command is None
    assert classifier.score("🙂").score == 0.0


def test_a_tie_goes_to_the_intent_of_the_earliest_example_sharing_a_feature():
    # "deux" is an example of stop, then of help (through ask_help): both score
    # 0.75, and stop's example comes first in the training data.
    classifier = CommandClassifier(
        {"help": ["un", "pause"], "stop": ["deux", "pause"], "ask_help": ["deux"]}
    )
    assert classifier.score("deux").command == "stop"
    assert classifier.score("pause").command == "help"


def test_a_question_about_the_question_is_help(interpret):
    digit = question("number", min=0, max=9)
    assert interpret("what is the difference with the previous question?", digit, "en") == (
        Command("help")
    )
    assert interpret("go back to the previous question", digit, "en") == Command("back")


@pytest.mark.parametrize("text", ["jsp", "aucune idée", "chais pas", "idk", "dunno"])
def test_dont_know_never_asks_for_help(interpret, text):
    got = interpret(
        text, question("scale", min=1, max=5), "en" if text in ("idk", "dunno") else "fr"
    )
    assert not isinstance(got, Command)


def test_a_clause_that_reads_as_an_answer_does_not_hide_a_command_in_another(interpret):
    assert interpret("aucune idée, je passe", question("date")) == Command("skip")


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("jpp jarrete", "stop"),
        ("c bon jen ai marre", "stop"),
        ("jsais pas quoi repondre, on passe", "skip"),
    ],
)
def test_phone_spelling_glued_to_the_verb_is_read(interpret, text, command):
    assert interpret(text, question("number", min=0, max=10)) == Command(command)


def test_slash_chars_are_the_characters_that_fold_into_a_slash():
    # slash_command skips folding a text with none of them: a character left
    # out would turn a /command into an answer.
    folding_into_slash = {
        char
        for code in range(sys.maxunicode + 1)
        if not 0xD800 <= code <= 0xDFFF and "/" in fold(char := chr(code))
    }
    assert folding_into_slash == SLASH_CHARS
    assert slash_command("／aide") == "help"
