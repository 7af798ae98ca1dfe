"""Consent is the answer to the consent question the resident was shown, on
whichever process takes it; an erasure's retry re-creates nothing."""

from __future__ import annotations

from sqlalchemy import text

from bot.client import Client
from storage import participants, sessions


async def rows(service, table: str) -> list[tuple]:
    async with service.database.transaction() as s:
        return list((await s.execute(text(f"SELECT * FROM {table}"))).all())


async def consultation_of(service, user: str) -> str | None:
    async with service.database.transaction() as s:
        found = await participants.find(s, "client", service.pseudonym("client", user))
        if found is None:
            return None
        latest = await sessions.latest(s, found.id)
        assert latest is not None
        version = await s.scalar(
            text("SELECT consultation_id FROM flow_versions WHERE id = :id"),
            {"id": latest.flow_version_id},
        )
        return str(version)


async def test_a_first_oui_never_shown_the_question_enrols_nobody(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    for first in ("oui", "yes", "ok", "non"):
        replies = await client.send(f"new-{first}", first)
        assert "Acceptez-vous" in replies[-1].text  # shown the question, now
    assert await rows(service, "participants") == []
    # Having been shown it, the next yes consents.
    replies = await client.send("new-oui", "oui")
    assert "Comment vous déplacez-vous" in replies[-1].text
    assert len(await rows(service, "participants")) == 1


async def test_a_yes_after_the_question_was_no_longer_the_last_one_asked_is_no_consent(
    open_service, clock
):
    service = await open_service()
    client = Client(service, now=clock)
    await client.send("carol", "bonjour")
    await client.send("carol", "stop")  # a goodbye, no question
    replies = await client.send("carol", "oui")
    assert "Acceptez-vous" in replies[-1].text
    assert await rows(service, "participants") == []


async def test_consent_shown_for_one_consultation_does_not_enrol_in_another(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.send("dave", "bonjour", consultation_id="mobilite")
    replies = await client.send("dave", "oui", consultation_id="lycees")
    assert await rows(service, "participants") == []
    await client.send("dave", "oui", consultation_id="lycees")  # now shown lycees' question
    assert await consultation_of(service, "dave") == "lycees"
    assert replies  # the question of lycees was shown with its intro


async def test_a_retried_erasure_gets_the_same_reply_and_recreates_nothing(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("erin", "bonjour", "oui", "train")
    await client.send("erin", "supprimer mes données", message_id="d3")
    erased = await client.send("erin", "oui", message_id="d4")
    assert "supprimé" in erased[-1].text
    for table in ("participants", "sessions", "answers", "transcript_lines", "processed_inbound"):
        assert await rows(service, table) == [], table
    retried = await client.send("erin", "oui", message_id="d4")
    assert retried == erased
    again = await client.send("erin", "oui", message_id="d4")
    assert again == erased
    for table in ("participants", "sessions", "answers", "transcript_lines", "pre_consent"):
        assert await rows(service, table) == [], table
    # The receipt is a keyed hash and a time: nothing of the resident or the message.
    (receipt,) = await rows(service, "erasure_receipts")
    assert "d4" not in repr(receipt)
    assert service.pseudonym("client", "erin") not in repr(receipt)
    # A new message is a new conversation, which asks for consent again.
    fresh = await client.send("erin", "oui", message_id="d5")
    assert "Acceptez-vous" in fresh[-1].text
    assert await rows(service, "participants") == []


async def test_the_consultation_chosen_before_consent_holds_across_processes(open_service, clock):
    first, second = await open_service(), await open_service()
    await Client(first, now=clock).send(
        "multi-1", "bonjour", consultation_id="lycees", message_id="b1"
    )
    await Client(second, now=clock).send("multi-1", "oui", message_id="o1")
    assert await consultation_of(second, "multi-1") == "lycees"


async def test_the_consultation_and_language_chosen_before_consent_survive_a_restart(
    open_service, clock
):
    first = await open_service()
    await Client(first, now=clock).send(
        "multi-2", "hello", consultation_id="lycees", message_id="h1"
    )
    await first.close()
    second = await open_service()
    replies = await Client(second, now=clock).send("multi-2", "yes", message_id="y1")
    assert await consultation_of(second, "multi-2") == "lycees"
    assert replies[0].text.startswith("Thank")


async def test_the_note_before_consent_holds_no_text_and_expires(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.send("frank", "bonjour, je m'appelle Frank", consultation_id="lycees")
    (note,) = await rows(service, "pre_consent")
    assert "Frank" not in repr(note)
    assert service.pseudonym("client", "frank") in repr(note)
    clock.advance(hours=25)
    # Expired: their "oui" is no answer to a question asked a day ago...
    replies = await client.send("frank", "oui")
    assert "Acceptez-vous" in replies[-1].text
    assert await rows(service, "participants") == []
    # ... and the periodic sweep deletes what expired.
    await client.send("grace", "bonjour")
    clock.advance(hours=25)
    await service.expiry.expire_inactive(clock.now)
    assert await rows(service, "pre_consent") == []


async def test_a_refusal_leaves_no_note(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.send("henry", "bonjour")
    await client.send("henry", "non")
    assert await rows(service, "pre_consent") == []
    assert await rows(service, "participants") == []


async def test_a_retry_of_the_message_that_showed_the_question_is_no_answer_to_it(
    open_service, clock
):
    """A client that lost the reply to its "oui" and sends it again has still
    not seen the consent question that reply carried."""
    service = await open_service()
    client = Client(service, now=clock)
    first = await client.send("ivy", "oui", message_id="o1")
    assert await client.send("ivy", "oui", message_id="o1") == first
    assert await rows(service, "participants") == []
    replies = await client.send("ivy", "oui", message_id="o2")
    assert "Comment vous déplacez-vous" in replies[-1].text
