"""Receipts, as a resident sees them: the outro gives a code; asking "où en
est ma contribution ?" or sending the code tells where it is, following the
moderators' decisions; a code is only ever looked up among one's own
contributions."""

from __future__ import annotations

import re

from bot.client import Client
from storage import answers, moderation, participants, sessions
from storage.models import SessionStatus
from tests.serving import DEMO

CODE = re.compile(r"code de suivi : (MOB-[0-9A-Z]{4})")


async def _proposal(service, user: str) -> int:
    """The id of the written answer (the proposal) of `user`'s contribution."""
    async with service.database.read() as s:
        found = await participants.find(s, "client", service.pseudonym("client", user))
        assert found is not None
        stored = await sessions.latest(s, found.id)
        assert stored is not None
        current = {a.question_id: a for a in await answers.current(s, stored.id)}
    return current["proposal"].id


async def _said(client: Client, user: str, text: str) -> str:
    return " ".join(reply.text for reply in await client.send(user, text))


async def test_the_outro_gives_a_code_that_follows_moderation(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    replies = await client.converse("alice", *DEMO)
    outro = replies[-1][-1].text
    assert outro.startswith("Merci")  # the code is part of the outro, not a message more
    found = CODE.search(outro)
    assert found is not None, outro
    code = found[1]

    said = await _said(client, "alice", "où en est ma contribution ?")
    assert code in said
    assert "reçue" in said  # the proposal waits for a moderator

    proposal = await _proposal(service, "alice")
    async with service.database.transaction() as s:
        await moderation.approve(s, proposal, by="ana@region.fr", now=clock.now)
    said = await _said(client, "alice", code.lower())  # the code alone, as typed
    assert said.startswith(f"{code} (du ")
    assert "publiée" in said
    assert "non retenue" not in said


async def test_a_rejected_written_answer_is_told_with_its_reason(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("alice", *DEMO)
    proposal = await _proposal(service, "alice")
    async with service.database.transaction() as s:
        await moderation.reject(s, proposal, by="ana@region.fr", now=clock.now, reason="off-topic")
    said = await _said(client, "alice", "Ma contribution a été publiée ?")
    assert "publiée, sauf 1 réponse(s) écrite(s) non retenue(s) : hors sujet" in said
    # Asking reopens nothing: the contribution stays complete.
    async with service.database.read() as s:
        found = await participants.find(s, "client", service.pseudonym("client", "alice"))
        assert found is not None
        stored = await sessions.latest(s, found.id)
        assert stored is not None
        assert stored.status == SessionStatus.COMPLETED


async def test_a_code_tells_nothing_to_another_resident(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    replies = await client.converse("alice", *DEMO)
    found = CODE.search(replies[-1][-1].text)
    assert found is not None
    await client.converse("bob", *DEMO[:3])  # bob is answering the questions
    said = await _said(client, "bob", found[1])
    assert said.startswith(f"Je ne trouve aucune de vos contributions avec le code {found[1]}")
    assert "reçue" not in said
    # ... and bob's question is asked again, his answers kept.
    assert "De 1 à 5" in said


async def test_asking_before_anything_says_how_to_get_a_code(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    said = await _said(client, "carol", "where is my contribution?")
    assert "code" in said
    async with service.database.read() as s:  # nothing stored before consent
        assert await participants.find(s, "client", service.pseudonym("client", "carol")) is None
    # Her first message was English, so the conversation is (e1f99bd).
    await client.converse("carol", "hello", "yes")
    said = await _said(client, "carol", "status")
    assert said.startswith("You have not completed a contribution yet")
