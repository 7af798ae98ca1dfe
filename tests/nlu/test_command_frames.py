import json
from pathlib import Path

import pytest

from nlu import command_frames
from nlu.command_frames import framed_command, wonders_why
from nlu.commands import command_words


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


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("je vois pas trop ce que vous demandez", "help"),
        ("i don't understand the question", "help"),
        ("je voudrais reprendre le questionnaire du debut", "restart"),
        ("est ce qu'on peut tout recommencer ?", "restart"),
        ("vous pouvez arreter de m'ecrire ?", "stop"),
        ("i'd like to skip this one", "skip"),
        ("can you delete what i said", "delete_data"),
        ("oops, previous answer was wrong", "back"),
        ("i won't answer that", "skip"),
        ("can a human call me", "human"),
        ("un conseiller peut me rappeler ?", "human"),
        ("je veux tout effacer", "delete_data"),
        ("supprimez tout svp", "delete_data"),
        ("on reprend au debut", "restart"),
    ],
)
def test_frames_for_help_restart_stop_and_skip(text, command):
    assert framed_command(text) == command


@pytest.mark.parametrize(
    "text",
    [
        "je ne comprends pas pourquoi le bus ne passe plus",
        "je pense qu'il faut tout refaire dans ce quartier",
        "recommencer les travaux de la piscine",
        "on peut ameliorer les horaires du soir",
        "je pense qu'il faudrait tout supprimer",
        "recommencer a zero le projet de rocade",
        "il faut reprendre les travaux au debut de la rue",
    ],
)
def test_opinions_near_those_frames_stay_answers(text):
    assert framed_command(text) is None


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("jpige rien", "help"),
        ("rien capté à la question", "help"),
        ("je suis pas sûre d'avoir bien compris", "help"),
        ("vous pourriez reformuler svp", "help"),
        ("expliquez-moi quoi cocher", "help"),
        ("could you repeat the question please", "help"),
        ("sorry what", "help"),
        ("c'est quoi la question", "help"),
        ("je préfère garder la réponse pour moi", "skip"),
        ("je prefere pas le dire", "skip"),
        ("i'd rather not tell you", "skip"),
        ("rien, suivante", "skip"),
        ("je vais m'arrêter là pour aujourd'hui", "stop"),
        ("lâchez-moi", "stop"),
        ("ne me contactez plus", "stop"),
        ("je continuerai plus tard", "stop"),
        ("ok i'm done for today", "stop"),
        ("i'll finish it later", "stop"),
        ("no more messages pls", "stop"),
        ("j'aimerais être rappelé par une conseillère", "human"),
        ("sorry i don't follow", "help"),
        ("je ne vous suis pas", "help"),
        ("can i go back to the previous question", "back"),
        ("on peut revenir sur la question d'avant ?", "back"),
        ("merci d'effacer mes réponses", "delete_data"),
        ("serait-il possible de parler à un conseiller ?", "human"),
        ("je souhaite pas poursuivre, merci", "stop"),
        ("i no longer want to carry on", "stop"),
        ("j'ai mal lu la question précédente", "back"),
        ("la dernière réponse est fausse, je peux la corriger ?", "back"),
        ("je veux pas donner mon adresse", "skip"),
        ("i'd rather not give my town", "skip"),
        ("pouvez-vous me retirer de vos fichiers", "delete_data"),
        ("please remove all the information i gave you", "delete_data"),
        ("can we do this again from the start", "restart"),
        ("je voudrais reprendre au tout début si possible", "restart"),
        ("est-il possible de recommencer ?", "restart"),
        ("pas sûr de comprendre ce qu'il faut mettre", "help"),
        ("ben je sais pas trop ce que ça veut dire", "help"),
        ("c'est quoi la commune qu'il faut mettre, celle du travail ?", "help"),
        ("on peut en cocher plusieurs ?", "help"),
        ("can i pick two", "help"),
        ("nah nothing, next question", "skip"),
        ("i'd rather not give a number", "skip"),
        ("jcomprend pa la kestion", "help"),
        ("euh je sais pas trop quoi écrire là", "help"),
        ("what kind of date do you want", "help"),
        ("je préfère ne pas m'exprimer sur ce sujet", "skip"),
        ("c'est privé", "skip"),
        ("i want out", "stop"),
        ("supprimez toutes les infos que vous avez sur moi", "delete_data"),
        ("je veux un vrai conseiller au bout du fil", "human"),
        ("y'a quelqu'un ou c'est que des robots ?", "human"),
        ("is 5 good or bad?", "help"),
        ("oops typo on the last one, can i fix it", "back"),
        ("skip, nothing to say", "skip"),
        ("i don't have time for this now", "stop"),
        ("quitter le questionnaire", "stop"),
        ("bye and thanks", "stop"),
        ("on recommence tout svp", "restart"),
        ("start over from scratch", "restart"),
        ("effacez-moi de vos fichiers", "delete_data"),
        ("je veux que tout soit supprimé", "delete_data"),
        ("je voudrais parler à un conseiller de la mairie", "human"),
        ("passez-moi un responsable", "human"),
        ("est-ce que quelqu'un peut me répondre ?", "human"),
    ],
)
def test_requests_said_the_way_phones_type_them(text, command):
    assert framed_command(text) == command


@pytest.mark.parametrize(
    "text",
    [
        "je pense que le projet doit s'arrêter là",
        "on ne m'écrit plus jamais de la mairie",
        "je veux garder mon jardin pour moi",
        "je pense que les agriculteurs ont besoin d'aide",
        "je répète que les bus sont en retard",
        "stop sending lorries through the village",
        "i will continue to use my car",
        "je voudrais pouvoir parler à un conseiller France services près de chez moi",
        "aidez-moi à payer mon loyer, les aides ne suffisent pas",
        "salut",
        "rien ne change, on passe toujours par là",
        "fermer la route du lac le dimanche",
        "je reviendrai demain",  # may answer a date question
        "can we go back to two buses an hour",
        "on peut revenir à la question du stationnement",
        "ne relancez plus le projet de rocade",
        "je trouve que tout est effacé sur les passages piétons",
        "il faut arrêter la discussion et agir",
        "bye bye la poste du village",
        "je ne veux pas continuer à payer autant pour les déchets",
        "i think we should do the consultation again next year",
        "can i do it",
        "est-il possible d'avoir plus de bus le dimanche",
        "aidez-moi à comprendre les nouvelles règles de stationnement",
        "la dernière réunion publique était n'importe quoi",
        "il faut refaire la dernière partie de la route",
        "quel budget qu'il faut donner aux associations ? plus qu'avant",
        "on peut en faire plus pour les jeunes",
        "rien ne va ici, on passe notre temps dans les bouchons",
        "je peux choisir les horaires et les tarifs",
        "c'est privé le chemin, il faut l'ouvrir au public",
        "un conseiller numérique au bout du fil ce serait bien pour les anciens",
        "people want out of their cars if buses are good",
        "il y a quelqu'un qui jette ses déchets dans le fossé",
        "i don't have time to drive my kids to school",
        "is 5 minutes enough to cross the road",
    ],
)
def test_opinions_near_the_new_frames_stay_answers(text):
    assert framed_command(text) is None


@pytest.mark.parametrize(
    ("text", "wonders"),
    [
        ("je comprends pas pourquoi la piscine a fermé", True),
        ("why did they stop the night bus", True),
        ("pourquoi vous me demandez ça ?", False),
        ("why this question?", False),
        ("pourquoi ?", False),
    ],
)
def test_wondering_why_something_is_so(text, wonders):
    assert wonders_why(text) is wonders


def test_je_glued_to_a_consonant_is_spelt_out_but_not_abbreviations():
    assert command_words("jcapte pas") == ["je", "capte", "pas"]
    assert command_words("ts les jrs") == ["tous", "les", "jrs"]
    assert command_words("id rather not") == ["i", "d", "rather", "not"]
    assert command_words("stop svp", keep_politeness=True) == ["stop", "svp"]
    assert command_words("stop svp") == ["stop"]


def test_the_word_gates_of_costly_frames_skip_no_match_of_the_evaluation_files():
    # A gate lets a message skip a frame's search when it holds none of the
    # words every alternative of that frame needs: it must never skip a match.
    data = Path(__file__).parent / "data"
    texts = {
        json.loads(line)["text"]
        for name in ("nlu_dev.jsonl", "nlu_regression.jsonl")
        for line in (data / name).read_text(encoding="utf-8").splitlines()
    }
    gated = [
        (pattern, gate)
        for frames in (command_frames._FRAMES, command_frames._UNADDRESSED)
        for _, pattern, gate in frames
        if gate
    ]
    gated.append((command_frames._REQUEST, command_frames._REQUEST_WORDS))
    assert gated
    for text in texts:
        words = command_words(text[:400], keep_politeness=True)
        folded = " ".join(words)
        for pattern, gate in gated:
            if pattern.search(folded):
                assert not gate.isdisjoint(words), (text, pattern.pattern[:40])
