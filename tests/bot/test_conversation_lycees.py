"""The bundled lycees consultation through the real service and database:
what a resident reads and what is stored for durations, places and "other"
details."""

from __future__ import annotations

from bot.client import Client
from tests.bot.test_conversation import current_answers

# From consent to the question on the journey's length.
TO_TRAVEL_MINUTES = ("oui", "lycéen", "passer", "Saint-Jean-de-Braye", "Châteauroux")


async def alice_asked_the_journey(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.send("alice", "bonjour", consultation_id="lycees")
    await client.converse("alice", *TO_TRAVEL_MINUTES)
    return service, client


async def test_a_journey_of_half_an_hour_is_stored_as_30_minutes(open_service, clock):
    service, client = await alice_asked_the_journey(open_service, clock)
    replies = await client.send("alice", "une demi-heure")
    assert replies[-1].text.startswith("Noté : 30.\nComment faites-vous ce trajet ?")
    assert (await current_answers(service))["travel_minutes"].value == 30
