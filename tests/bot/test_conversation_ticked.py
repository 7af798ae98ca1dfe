"""Boxes ticked in the web chat come as their buttons' payloads joined ("[s]
car, [s] bike"): each is the choice it was shown for, even where an id is also
a word of another choice's label (lycees.yml: "car" in "Car scolaire")."""

from __future__ import annotations

from bot.client import Client
from tests.bot.test_conversation import current_answers
from tests.bot.test_conversation_lycees import TO_TRAVEL_MINUTES


async def test_voiture_and_velo_ticked_are_stored_as_voiture_and_velo(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.send("alice", "bonjour", consultation_id="lycees")
    await client.converse("alice", *TO_TRAVEL_MINUTES)
    asked = await client.send("alice", "une demi-heure")
    boxes = {b.title: b.payload for b in asked[-1].buttons}
    await client.send("alice", ", ".join([boxes["Voiture"], boxes["Vélo ou trottinette"]]))
    assert (await current_answers(service))["travel_modes"].value == ["car", "bike"]
