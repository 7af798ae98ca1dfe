import pytest

from nlu.command_frames import framed_command


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("est-ce que vous pouvez effacer toutes mes réponses ?", "delete_data"),
        ("pls forget everything i told you", "delete_data"),
        ("je voudrais discuter avec une vraie personne", "human"),
        ("could i speak to an actual person", "human"),
        ("j'ai fait une erreur à la question précédente", "back"),
        ("i got the previous question wrong", "back"),
        ("je préfère ne pas répondre à cette question", "skip"),
        ("i'd rather not answer that", "skip"),
        ("supprimez tout ce que vous avez sur moi svp", "delete_data"),
        ("je veux que mes donnees soient effacees", "delete_data"),
        ("je peux avoir un vrai humain", "human"),
        ("get me a human", "human"),
        ("je prefere garder ca pour moi", "skip"),
    ],
)
def test_requests_framed_as_commands(text, command):
    assert framed_command(text) == command


@pytest.mark.parametrize(
    "text",
    [
        "il faudrait effacer les tags sur les murs",
        "supprimer mes impôts locaux serait bien",  # "mes" + no request to the bot
        "parler avec les habitants avant de décider",
        "changer les horaires juste avant la rentrée",
        "delete the old bus line and make a tram instead",
        "je veux pouvoir parler à un agent au guichet de la gare",
    ],
)
def test_answers_that_mention_command_words_are_no_frame(text):
    assert framed_command(text) is None


def test_a_long_contribution_is_never_a_frame():
    text = "je voudrais que vous effaciez mes réponses " + "et aussi " * 30
    assert framed_command(text) is None
