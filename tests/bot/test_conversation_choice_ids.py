"""A choice's id is a button payload, not a word of the resident's language:
in the demo, typed "car" is a coach (Bus) in French, while the tapped
"Voiture" button, whose payload is the id `car`, is still the car."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.client import Client
from storage.models import AnswerRow


async def mode_stored(service) -> list[str]:
    async with service.database.transaction() as s:
        stored = await s.scalars(select(AnswerRow.value).where(AnswerRow.question_id == "mode"))
        return list(stored)


@pytest.mark.parametrize(
    ("typed", "language", "stored"),
    [
        ("car", None, "bus"),
        ("Car", None, "bus"),
        ("en car", None, "bus"),
        ("bike", None, "bike"),  # no French name says "bike": the id still names Vélo
        ("car", "en", "car"),
    ],
)
async def test_a_typed_id_yields_to_the_word_of_the_residents_language(
    open_service, clock, typed, language, stored
):
    service = await open_service()
    client = Client(service, now=clock)
    options = {"language": language} if language else {}
    await client.converse("alice", "bonjour", "oui", typed, **options)
    assert await mode_stored(service) == [stored]


async def test_the_tapped_voiture_button_is_still_the_car(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    _, consented = await client.converse("alice", "bonjour", "oui")
    voiture = next(b for b in consented[-1].buttons if b.title == "Voiture")
    await client.send("alice", voiture.payload)
    assert await mode_stored(service) == ["car"]
