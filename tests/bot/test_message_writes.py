"""What a consented resident's message writes: the transcript opens with the
consent question as they were shown it, in their language, then every
exchange."""

from __future__ import annotations

from bot.client import Client
from storage import participants, sessions, transcripts


async def _transcript(service, user: str) -> list[tuple[str, str]]:
    async with service.database.transaction() as s:
        found = await participants.find(s, "client", service.pseudonym("client", user))
        assert found is not None
        stored = await sessions.latest(s, found.id)
        assert stored is not None
        return [(line.direction, line.text) for line in await transcripts.for_session(s, stored.id)]


async def test_the_transcript_opens_with_the_consent_question_in_the_residents_language(
    open_service, clock
):
    service = await open_service()
    client = Client(service, now=clock)
    shown = await client.converse("emma", "hello", "yes")
    await client.converse("louis", "bonjour", "oui")

    english = await _transcript(service, "emma")
    assert english[0] == ("out", shown[0][-1].text)  # the question they said yes to
    assert "Do you agree" in english[0][1]
    assert english[1] == ("in", "yes")
    assert [text for _, text in english[2:]] == [reply.text for reply in shown[1]]
    french = await _transcript(service, "louis")
    assert "Acceptez-vous" in french[0][1]
    assert french[1] == ("in", "oui")
