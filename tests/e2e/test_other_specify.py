"""Other, please specify with the bundled lycées flow: the detail typed with
the answer, or asked right after, is stored beside it and waits in the
moderators' queue like any free text; the choice itself needs no moderation."""

from __future__ import annotations

import datetime as dt

from bot.client import Client
from storage import answers, participants, review_queue, sessions
from tests.e2e.transcript import play
from tests.serving import settings_for, start_service

OPEN_DAY = "2026-10-01"
ASKED_MODES = "Comment faites-vous ce trajet ?"
SPECIFY = "Vous avez choisi « Autre (précisez) » : précisez en quelques mots."
TO_MODES = [
    ("bonjour", "Acceptez-vous ?"),
    ("oui", "Vous êtes…"),
    ("élève", "Quel est votre code postal ?"),
    ("45000", "Dans quelle commune se trouve le lycée ?"),
    ("Orléans", "Combien de minutes"),
    ("30", ASKED_MODES, "[Autre (précisez)]"),
]


def test_the_detail_typed_with_the_answer_is_stored_beside_it():
    play(
        "lycees.yml",
        [
            *TO_MODES,
            (
                "le car scolaire et autre : les rollers",
                '(stored: answer to travel_modes = ["school_bus", "other_mode"]',
                'answer to travel_modes.other = "les rollers"',
                "De 1 à 5",
                f"!{SPECIFY}",
            ),
        ],
        today=OPEN_DAY,
    )


def test_the_detail_is_asked_right_after_then_stored():
    play(
        "lycees.yml",
        [
            *TO_MODES,
            ("autre", SPECIFY, '(stored: answer to travel_modes = ["other_mode"])', "[Passer]"),
            ("Mes rollers", '(stored: answer to travel_modes.other = "Mes rollers")', "De 1 à 5"),
            ("retour", ASKED_MODES),
            ("à pied", 'answer to travel_modes = ["walk"]', "travel_modes.other withdrawn"),
        ],
        today=OPEN_DAY,
    )


def test_passer_goes_on_without_a_detail():
    play(
        "lycees.yml",
        [
            *TO_MODES,
            ("train et autre", SPECIFY),
            ("passer", "De 1 à 5", "!travel_modes.other"),
        ],
        today=OPEN_DAY,
    )


async def test_the_detail_waits_in_the_moderation_queue(database_url: str):
    service = await start_service(settings_for(database_url, default_consultation="lycees"))
    try:
        client = Client(service, now=lambda: dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC))
        said = [message for message, *_ in TO_MODES]
        await client.converse("alice", *said, "bus et autre chose, la trottinette électrique")
        async with service.database.transaction() as s:
            found = await participants.find(s, "client", service.pseudonym("client", "alice"))
            assert found is not None
            stored = await sessions.latest(s, found.id)
            current = {a.question_id: a for a in await answers.current(s, stored.id)}
            queue = await review_queue.page(s)
    finally:
        await service.close()
    assert current["travel_modes"].value == ["school_bus", "other_mode"]
    assert current["travel_modes"].moderation_status is None
    detail = current["travel_modes.other"]
    assert detail.value == "la trottinette électrique"
    assert detail.moderation_status == "pending"
    pending = [(item.question_id, item.text) for item in queue]
    assert pending == [("travel_modes.other", "la trottinette électrique")]
    # The moderator reads it under the question as the resident saw it.
    assert queue[0].question_text.startswith("Comment faites-vous ce trajet ?")


# -- exclusive choices: lycees.yml's "Aucune en particulier" --------------------

ASKED_PRIORITIES = "Quelles sont vos deux priorités"
TO_PRIORITIES = [
    ("bonjour", "Acceptez-vous ?"),
    ("oui", "Vous êtes…"),
    ("un habitant", "Quel est votre code postal ?"),
    ("45000", "De 1 à 5"),
    ("4", ASKED_PRIORITIES, "[Aucune en particulier]"),
]


def test_an_exclusive_choice_stands_alone():
    play(
        "lycees.yml",
        [
            *TO_PRIORITIES,
            (
                "la cantine et aucune en particulier",
                "« Aucune en particulier » ne se combine avec aucune autre réponse",
                ASKED_PRIORITIES,
                "!stored",
            ),
            ("aucune en particulier", '(stored: answer to priorities = ["no_priority"])'),
        ],
        today=OPEN_DAY,
    )


def test_none_except_one_is_that_one():
    play(
        "lycees.yml",
        [
            *TO_PRIORITIES,
            ("aucune sauf l'internat", '(stored: answer to priorities = ["boarding"])'),
        ],
        today=OPEN_DAY,
    )


# -- free text lengths: lycees.yml's renovation takes 10 characters at least ------


def test_a_too_short_answer_is_asked_again_kindly():
    play(
        "lycees.yml",
        [
            ("bonjour", "Acceptez-vous ?"),
            ("oui", "Vous êtes…"),
            ("parent", "Quel est votre code postal ?"),
            ("45000", "Dans quelle commune se trouve le lycée ?"),
            ("Orléans", "Combien de minutes"),
            ("30", ASKED_MODES),
            ("voiture", "De 1 à 5"),
            ("2", "Qu'est-ce qui devrait être rénové en priorité ?"),
            (
                "tout",
                "Merci ! Pouvez-vous en dire un peu plus ?",
                "(de 10 à 1000 caractères)",
                "Qu'est-ce qui devrait être rénové en priorité ?",
                "!stored",
            ),
            ("Les fenêtres", '(stored: answer to renovation = "Les fenêtres")'),
        ],
        today=OPEN_DAY,
    )
