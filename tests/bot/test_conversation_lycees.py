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
    assert replies[-1].text.startswith("Noté : 30 minutes.\nComment faites-vous ce trajet ?")
    assert (await current_answers(service))["travel_minutes"].value == 30


# From consent to the summary: places by name, the journey by car and "other",
# its detail asked and given.
TO_SUMMARY = (
    "oui",
    "lycéen",
    "passer",
    "st jean de braye",
    "Orleans",
    "30",
    "le car et autre",
    "la trotinette",
    "4",
    "cantine",
    "oui",
    "non",
    "passer",
)


async def alice_at_the_summary(open_service, clock, *messages: str):
    service = await open_service()
    client = Client(service, now=clock)
    await client.send("alice", "bonjour", consultation_id="lycees")
    said = await client.converse("alice", *messages)
    return service, client, said[-1][-1].text


async def test_the_summary_names_the_communes_and_the_other_detail(open_service, clock):
    service, _, summary = await alice_at_the_summary(open_service, clock, *TO_SUMMARY)
    lines = summary.splitlines()
    assert lines[3:7] == [
        "3. Sans code postal, pouvez-vous nous dire dans quelle commune vous habitez ?"
        " Saint-Jean-de-Braye (45)",
        "4. Dans quelle commune se trouve le lycée ? Orléans (45)",
        "5. Combien de minutes dure le trajet entre la maison et le lycée ? 30 minutes",
        "6. Comment faites-vous ce trajet ? (jusqu'à trois réponses) :"
        " Car scolaire, Autre (précisez) : la trotinette",
    ]
    stored = await current_answers(service)
    assert stored["home_commune"].value == "45284"  # the code, as before
    assert stored["travel_modes.other"].value == "la trotinette"


async def test_changing_an_answer_says_the_commune_and_the_detail_given(open_service, clock):
    _, client, _ = await alice_at_the_summary(open_service, clock, *TO_SUMMARY)
    replies = await client.send("alice", "modifier la question 4")
    assert replies[0].text == "Question 4 : votre réponse était : Orléans (45)."
    replies = await client.send("alice", "Châteauroux")
    assert "4. Dans quelle commune se trouve le lycée ? Châteauroux (36)" in replies[-1].text
    replies = await client.send("alice", "modifier la question 6")
    assert replies[0].text == (
        "Question 6 : votre réponse était : Car scolaire, Autre (précisez) : la trotinette."
    )
    replies = await client.send("alice", "le train")
    # The detail went with the answer it was given for.
    assert "(jusqu'à trois réponses) : Train\n" in replies[-1].text


async def test_a_commune_confirmed_among_homonyms_is_named_going_back(open_service, clock):
    _, client, _ = await alice_at_the_summary(open_service, clock, "oui", "lycéen", "passer")
    asked = await client.send("alice", "Vineuil")  # in the Indre, and in the Loir-et-Cher
    assert [b.title for b in asked[-1].buttons] == ["Vineuil (41)", "Vineuil (36)", "Autre"]
    await client.send("alice", "Vineuil (36)")
    replies = await client.send("alice", "retour")
    assert (
        replies[0].text == "Revenons à la question précédente. Votre réponse était : Vineuil (36)."
    )


async def test_in_english_the_detail_follows_a_colon(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.send("bob", "hello", consultation_id="lycees", language="en")
    await client.converse("bob", "yes", "student", "skip", "Tours", "Orleans", "30")
    await client.converse("bob", "bus and other", "my skateboard")
    replies = await client.send("bob", "back")
    assert replies[0].text == (
        "Back to the previous question. Your answer was:"
        " School bus, Other (please specify): my skateboard."
    )


async def test_a_journey_is_said_back_in_minutes_in_english_too(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.send("bob", "hello", consultation_id="lycees", language="en")
    await client.converse("bob", "yes", "student", "skip", "Tours", "Orleans")
    replies = await client.send("bob", "an hour and a half")
    assert replies[0].text.startswith("Noted: 90 minutes.\nHow do you make this journey?")
    replies = await client.send("bob", "change question 5")
    assert replies[0].text == "Question 5: your answer was: 90 minutes."
