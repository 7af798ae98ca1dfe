"""What a message works on (bot/message_context.py): the session it continues,
the consultation it runs, and a deep link to another consultation."""

from __future__ import annotations

from sqlalchemy import text

from bot.client import Client
from storage.models import SessionStatus


async def sessions_of(service, user: str) -> list[tuple[str, str]]:
    """(consultation, status) of each of `user`'s sessions, oldest first."""
    async with service.database.read() as s:
        found = await s.execute(
            text(
                "SELECT v.consultation_id, s.status FROM sessions s"
                " JOIN flow_versions v ON v.id = s.flow_version_id"
                " JOIN participants p ON p.id = s.participant_id"
                " WHERE p.user_hash = :user ORDER BY s.id"
            ),
            {"user": service.pseudonym("client", user)},
        )
        return [(str(c), str(status)) for c, status in found.all()]


async def test_a_deep_link_to_another_consultation_leaves_the_open_one(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("alice", "bonjour", "oui", "bus")
    replies = await client.send("alice", "/start", consultation_id="lycees")
    # The lycées' own welcome and consent: a consent covers one consultation.
    assert "lycées" in replies[0].text
    assert [b.title for b in replies[-1].buttons] == ["Oui", "Non"]
    assert await sessions_of(service, "alice") == [("mobilite", SessionStatus.ABANDONED.value)]
    await client.send("alice", "oui", consultation_id="lycees")
    assert await sessions_of(service, "alice") == [
        ("mobilite", SessionStatus.ABANDONED.value),
        ("lycees", SessionStatus.ACTIVE.value),
    ]


async def test_a_start_without_a_link_or_a_link_to_the_same_consultation_resumes(
    open_service, clock
):
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("alice", "bonjour", "oui", "bus")
    await client.send("alice", "/start")
    await client.send("alice", "/start", consultation_id="mobilite")
    assert await sessions_of(service, "alice") == [("mobilite", SessionStatus.ACTIVE.value)]


async def test_a_newcomers_link_to_a_consultation_not_deployed_opens_the_default_one(
    open_service, clock
):
    service = await open_service()
    client = Client(service, now=clock)
    replies = await client.send("bob", "/start", consultation_id="nulle-part")
    assert [b.title for b in replies[-1].buttons] == ["Oui", "Non"]  # the default's consent
    await client.send("bob", "oui")  # their note says which: the default one
    assert await sessions_of(service, "bob") == [("mobilite", SessionStatus.ACTIVE.value)]
