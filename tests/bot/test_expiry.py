"""The periodic expiry sweep (bot/expiry.py): idle sessions expire, and their
residents can resume."""

from __future__ import annotations

from bot.client import Client
from storage.models import SessionStatus
from tests.bot.test_conversation import only_session


async def test_the_periodic_sweep_expires_idle_sessions_and_they_can_resume(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("alice", "bonjour", "oui", "bus")
    await client.converse("bob", "bonjour", "oui")
    clock.advance(days=3)
    await client.send("bob", "train")
    clock.advance(days=5)
    assert await service.expiry.expire_inactive(clock.now) == 1  # alice only
    _, stored = await only_session(service)
    assert stored.status == SessionStatus.EXPIRED
    offer = await client.send("alice", "me revoilà")
    assert "reprendre" in " ".join(b.title.lower() for b in offer[-1].buttons)
