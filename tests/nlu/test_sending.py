"""Requests to send the answers, told apart from erasing them or starting over."""

import pytest

from nlu.sending import sends_instead


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
