"""A closed answer with a comment, with the bundled lycées flow: the yes is
stored, and the rest of the message beside it as `<question>.comment`, free
text that waits in the moderators' queue like an "other" detail."""

from __future__ import annotations

import datetime as dt

from bot.client import Client
from storage import answers, participants, review_queue, sessions
from tests.e2e.transcript import play
from tests.serving import settings_for, start_service

OPEN_DAY = "2026-10-01"
ASKED_LOCAL_FOOD = "La cantine devrait-elle servir"
TO_LOCAL_FOOD = [
    ("bonjour", "Acceptez-vous ?"),
    ("oui", "Vous êtes…"),
    ("un habitant", "Quel est votre code postal ?"),
    ("45000", "De 1 à 5"),
    ("4", "Quelles sont vos deux priorités"),
    ("cantine", ASKED_LOCAL_FOOD),
]
COMMENTED = "oui, surtout des légumes de saison"


def test_the_comment_is_stored_beside_the_yes():
    play(
        "lycees.yml",
        [
            *TO_LOCAL_FOOD,
            (
                COMMENTED,
                "(stored: answer to local_food = true)",
                'answer to local_food.comment = "surtout des légumes de saison"',
                "Souhaitez-vous être invité(e)",
            ),
            ("retour", ASKED_LOCAL_FOOD),
            ("oui", "local_food.comment withdrawn", "!local_food = true"),
        ],
        today=OPEN_DAY,
    )


async def test_the_comment_waits_in_the_moderation_queue(database_url: str):
    service = await start_service(settings_for(database_url, default_consultation="lycees"))
    try:
        client = Client(service, now=lambda: dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC))
        await client.converse("alice", *[message for message, *_ in TO_LOCAL_FOOD], COMMENTED)
        async with service.database.transaction() as s:
            found = await participants.find(s, "client", service.pseudonym("client", "alice"))
            assert found is not None
            stored = await sessions.latest(s, found.id)
            current = {a.question_id: a for a in await answers.current(s, stored.id)}
            queue = await review_queue.page(s)
    finally:
        await service.close()
    assert current["local_food"].value is True
    assert current["local_food"].moderation_status is None
    assert current["local_food.comment"].value == "surtout des légumes de saison"
    assert current["local_food.comment"].moderation_status == "pending"
    assert [(item.question_id, item.text) for item in queue] == [
        ("local_food.comment", "surtout des légumes de saison")
    ]
    assert queue[0].question_text.startswith(ASKED_LOCAL_FOOD)


def test_an_undecided_yes_or_no_is_told_what_is_expected():
    play(
        "lycees.yml",
        [
            *TO_LOCAL_FOOD,
            (
                "bof",
                "Je n'ai pas pu lire un oui ou un non.",
                "Répondez par oui ou par non.",
                "!plusieurs choix",
                ASKED_LOCAL_FOOD,
            ),
            ("oui et non", "Je n'ai pas pu lire un oui ou un non.", "!stored"),
            ("plutôt oui", "(stored: answer to local_food = true)"),
        ],
        today=OPEN_DAY,
    )
