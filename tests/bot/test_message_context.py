"""What a message works on (bot/message_context.py): the session it continues,
the consultation it runs, and a deep link to another consultation."""

from __future__ import annotations

from sqlalchemy import text

from bot.client import Client
from storage.models import SessionStatus
from tests.serving import DEMO


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


NOT_OPEN = "La consultation demandée par ce lien n'est pas ouverte (ou ne l'est plus)."


async def test_a_newcomers_link_to_a_consultation_not_deployed_opens_the_default_one(
    open_service, clock
):
    service = await open_service()
    client = Client(service, now=clock)
    replies = await client.send("bob", "/start", consultation_id="nulle-part")
    assert replies[0].text == NOT_OPEN  # told first, then the default's welcome
    assert "comment vous vous déplacez" in replies[1].text
    assert [b.title for b in replies[-1].buttons] == ["Oui", "Non"]  # the default's consent
    replies = await client.send("bob", "oui", consultation_id="nulle-part")
    assert NOT_OPEN not in [reply.text for reply in replies]  # said once, not at each message
    assert await sessions_of(service, "bob") == [("mobilite", SessionStatus.ACTIVE.value)]


async def test_an_old_link_in_the_middle_of_a_consultation_resumes_it(open_service, clock):
    """/start velo (an old poster) half-way through: where they were, as after
    a plain /start, with one line saying the one asked for is not open; no
    consent asked again, the answers given kept."""
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("alice", "bonjour", "oui", "bus")
    plain = await client.send("alice", "/start")
    replies = await client.send("alice", "/start", consultation_id="velo")
    assert [reply.text for reply in replies] == [NOT_OPEN, *(reply.text for reply in plain)]
    assert replies[1].text == "Nous en étions à cette question :"
    assert await sessions_of(service, "alice") == [("mobilite", SessionStatus.ACTIVE.value)]
    async with service.database.read() as s:
        found = await s.execute(
            text("SELECT question_id FROM answers WHERE superseded_at IS NULL ORDER BY id")
        )
        assert found.scalars().all() == ["mode"]  # their answer, still theirs


async def test_an_old_link_is_told_in_the_residents_language(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("carol", "hello", "yes", "bus", language="en")
    replies = await client.send("carol", "/start", consultation_id="velo", language="en")
    assert replies[0].text == "The consultation this link asks for is not open (or no longer is)."
    assert replies[1].text == "We were at this question:"
    replies = await client.send("dave", "/start", consultation_id="velo", language="en")
    assert replies[0].text == "The consultation this link asks for is not open (or no longer is)."
    assert [b.title for b in replies[-1].buttons] == ["Yes", "No"]


async def test_an_old_link_after_a_completed_contribution_does_not_start_it_again(
    open_service, clock
):
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("erin", *DEMO)
    plain = await client.send("erin", "/start")
    replies = await client.send("erin", "/start", consultation_id="velo")
    assert [reply.text for reply in replies] == [NOT_OPEN, *(reply.text for reply in plain)]
    assert await sessions_of(service, "erin") == [("mobilite", SessionStatus.COMPLETED.value)]
