"""Requests to send the answers, told apart from erasing them or starting over."""

import pytest

from nlu import Answer, ChoiceOption, Command, QuestionSpec
from nlu.sending import sends_instead
from tests.nlu.conftest import TODAY


@pytest.mark.parametrize(
    ("text", "command", "sends"),
    [
        ("Envoyer mes réponses", "delete_data", True),
        ("valider ma participation", "delete_data", True),
        ("j'ai fini, vous pouvez envoyer", "delete_data", True),
        ("submit the survey", "restart", True),
        ("supprimez tout ce que je vous ai envoyé", "delete_data", False),
        ("ne les envoyez pas, supprimez mes réponses", "delete_data", False),
        ("n'envoyez pas mes réponses", "delete_data", False),
        ("envoyez-les puis on recommence", "restart", False),
        ("ne m'envoyez plus de messages", "stop", False),
        ("I'm done", "stop", False),
    ],
)
def test_sending_the_answers_is_neither_erasing_nor_starting_over(text, command, sends):
    assert sends_instead(text, command) is sends


SEND_REQUESTS = [
    ("fr", "Envoyer mes réponses"),
    ("fr", "envoyer"),
    ("fr", "c'est bon, envoyez"),
    ("fr", "ok envoyez"),
    ("fr", "c'est tout, vous pouvez envoyer"),
    ("fr", "j'ai fini, vous pouvez envoyer mes réponses"),
    ("fr", "valider ma participation"),
    ("fr", "c bon envoyez svp"),
    ("fr", "voilà, c'est tout, vous pouvez les envoyer"),
    ("fr", "envoyer mes reponses"),
    ("fr", "j'envoie"),
    ("fr", "je valide mes réponses"),
    ("fr", "envoyer le questionnaire"),
    ("en", "Send my answers"),
    ("en", "that's all, send it"),
    ("en", "please send my answers"),
    ("en", "I'm done, you can send them"),
    ("en", "submit the survey"),
    ("en", "submit"),
]
HEATING = (ChoiceOption("gas", ("Gaz",)), ChoiceOption("wood", ("Bois",)))
QUESTIONS = [
    QuestionSpec("free_text"),
    QuestionSpec("yes_no"),
    QuestionSpec("number", min=0, max=100),
    QuestionSpec("scale", min=1, max=5),
    QuestionSpec("choice", choices=HEATING),
    QuestionSpec("multi_choice", choices=HEATING),
    QuestionSpec("date"),
    QuestionSpec("commune"),
]


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.kind)
@pytest.mark.parametrize(("lang", "text"), SEND_REQUESTS)
def test_a_request_to_send_is_the_send_command_at_any_question(interpreter, question, lang, text):
    assert interpreter.interpret(text, question, lang, TODAY) == Command("send")


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "Il faudrait envoyer les menus de la cantine aux parents"),
        ("fr", "envoyer plus de bus le dimanche"),
        ("fr", "c'est bon, envoyez plus de trains le soir"),
        ("fr", "valider les acquis de l'expérience plus facilement"),
        ("en", "Send more buses on Sundays"),
        ("en", "send my answers to the mayor too"),
    ],
)
def test_free_text_that_speaks_of_sending_is_stored_as_text(interpreter, lang, text):
    assert interpreter.interpret(text, QuestionSpec("free_text"), lang, TODAY) == Answer(text)


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("yes_no", "ok je valide", Answer(True)),  # approving is no request to send
        ("choice", "je valide", Answer("approve")),  # the option it names
        ("choice", "validé", Answer("approve")),
        ("choice", "envoi", Answer("post")),
    ],
)
def test_approving_or_naming_an_option_is_no_request_to_send(interpreter, kind, text, expected):
    choices = (ChoiceOption("approve", ("Valider",)), ChoiceOption("post", ("Envoi postal",)))
    question = QuestionSpec(kind, choices=choices if kind == "choice" else ())
    assert interpreter.interpret(text, question, "fr", TODAY) == expected


def test_a_rasa_server_s_send_is_the_send_command(interpreter):
    free_text = QuestionSpec("free_text")
    got = interpreter.interpret(
        "Envoyer mes réponses", free_text, "fr", TODAY, command="send", recognise_commands=False
    )
    assert got == Command("send")
