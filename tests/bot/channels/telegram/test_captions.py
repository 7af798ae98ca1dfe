"""A photo, video or file sent with a caption: the caption is the resident's
answer, and one line tells them the attachment itself is not kept."""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest

from tests.bot.channels.conftest import Chat
from tests.bot.channels.fake_bot_api import FakeBotApi, Resident

ATTACHMENTS: dict[str, Any] = {
    "photo": [{"file_id": "AgAD1", "file_unique_id": "u1", "width": 90, "height": 90}],
    "video": {
        "file_id": "BAAD4",
        "file_unique_id": "u4",
        "width": 640,
        "height": 360,
        "duration": 5,
    },
    "document": {"file_id": "BQAD5", "file_unique_id": "u5", "file_name": "arret.pdf"},
}
NOT_KEPT = "La pièce jointe n'est pas conservée : seul votre texte est pris comme réponse."
PROPOSAL = "l'arrêt de Saint-Jean est dangereux"
_MESSAGE_IDS = itertools.count(900_000)  # far from the fake's own


def sends_captioned(
    fake: FakeBotApi, resident: Resident, kind: str, caption: str | None
) -> dict[str, Any]:
    """`resident` sends a `kind` attachment, with `caption` written under it."""
    message: dict[str, Any] = {
        "message_id": next(_MESSAGE_IDS),
        "from": resident.as_user(),
        "chat": resident.as_chat(),
        "date": int(time.time()),
        kind: ATTACHMENTS[kind],
    }
    if caption is not None:
        message["caption"] = caption
    return fake.push({"message": message})


async def reach_the_proposal(chat: Chat) -> None:
    """The demo, answered up to its free-text question."""
    await chat.say("bonjour")
    await chat.tap("Oui")
    await chat.tap("Train")
    await chat.tap("4")
    await chat.say("45000")


@pytest.mark.parametrize("kind", sorted(ATTACHMENTS))
async def test_a_caption_is_taken_as_the_answer_and_the_attachment_said_not_kept(
    fake, bot, conversations, kind
):
    chat = Chat(fake, bot, Resident(7001))
    await reach_the_proposal(chat)
    replies = await chat.settle(sends_captioned(fake, chat.resident, kind, PROPOSAL))
    assert (await conversations.answers(7001))["proposal"] == PROPOSAL
    assert replies[0]["text"] == NOT_KEPT  # said once, before the bot's reply
    assert [m["text"] for m in replies].count(NOT_KEPT) == 1
    assert replies[-1]["text"].startswith("Merci")
    assert not any(m["text"].startswith("Désolé, je ne comprends") for m in replies)


async def test_the_line_is_in_the_resident_s_language(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(7002, language_code="en"))
    await chat.say("hello")
    replies = await chat.settle(sends_captioned(fake, chat.resident, "photo", "yes"))
    assert replies[0]["text"] == (
        "The attachment is not kept: only your text is taken as your answer."
    )
    assert (await conversations.participant(7002)) is not None  # "yes" consented


async def test_a_photo_without_a_caption_still_gets_text_only(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(7003))
    replies = await chat.settle(sends_captioned(fake, chat.resident, "photo", None))
    assert [m["text"] for m in replies] == [
        "Désolé, je ne comprends que le texte pour l'instant. Pouvez-vous écrire votre réponse ?"
    ]
    assert conversations.handled == []
