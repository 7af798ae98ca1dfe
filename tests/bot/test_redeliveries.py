"""A platform message delivered again (Telegram resends an update whose
confirmation was lost, a web chat resends after a reconnect): the same replies,
and nothing stored twice (bot.redeliveries)."""

from __future__ import annotations

from sqlalchemy import text

from bot.client import Client


async def count(service, table: str) -> int:
    async with service.database.read() as s:
        return int(await s.scalar(text(f"SELECT count(*) FROM {table}")))


async def test_a_redelivered_answer_changes_nothing_and_gets_the_same_replies(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("alice", "bonjour", "oui")
    first = await client.send("alice", "train", message_id="m-3")
    lines_before = await count(service, "transcript_lines")
    again = await client.send("alice", "train", message_id="m-3")
    assert again == first
    assert await count(service, "transcript_lines") == lines_before
    assert await count(service, "answers") == 1


async def test_a_redelivered_consent_enrols_once_and_gets_the_same_replies(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.send("bob", "bonjour", message_id="b-1")
    consented = await client.send("bob", "oui", message_id="b-2")
    assert "Comment vous déplacez-vous" in consented[-1].text
    again = await client.send("bob", "oui", message_id="b-2")
    assert again == consented
    assert await count(service, "participants") == 1
    assert await count(service, "sessions") == 1
    assert await count(service, "processed_inbound") == 1
    # The next message is the answer to the first question, as if sent once.
    answered = await client.send("bob", "train", message_id="b-3")
    assert "De 1 à 5" in answered[-1].text
    assert await count(service, "answers") == 1
