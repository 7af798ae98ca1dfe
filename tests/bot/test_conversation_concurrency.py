"""Redeliveries and concurrency: the same message twice, also at the same time,
also to two processes sharing one database, is stored once; one resident's
messages reaching two processes at once lose nothing."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import text

from bot.channel_contract import InboundMessage
from bot.client import Client


def message(text_: str, message_id: str, now: dt.datetime, user: str = "alice") -> InboundMessage:
    return InboundMessage("client", user, text_, message_id, now)


async def rows(service, sql: str) -> list:
    async with service.database.transaction() as s:
        return list((await s.execute(text(sql))).all())


async def test_the_same_message_at_the_same_time_is_stored_once(open_service, clock):
    service = await open_service()
    await Client(service, now=clock).converse("alice", "bonjour", "oui")
    twice = await asyncio.gather(
        *(service.handle(message("train", "dup-1", clock.now)) for _ in range(5))
    )
    assert all(replies == twice[0] for replies in twice)
    assert await rows(service, "SELECT question_id FROM answers") == [("mode",)]
    said = await rows(service, "SELECT text FROM transcript_lines WHERE direction = 'in'")
    assert said == [("oui",), ("train",)]


async def test_two_processes_share_one_database_without_duplicates(open_service, clock):
    """Two services on one database stand for two processes (each has its own
    connections and in-process locks); PostgreSQL's row locks and the dedupe
    constraint must do the rest."""
    first, second = await open_service(), await open_service()
    await Client(first, now=clock).converse("alice", "bonjour", "oui")
    script = [("train", "m-1"), ("4", "m-2"), ("45000", "m-3"), ("Plus de bus", "m-4")]
    for text_, message_id in script:
        # The platform redelivers each message, and each copy reaches a process.
        await asyncio.gather(
            first.handle(message(text_, message_id, clock.now)),
            second.handle(message(text_, message_id, clock.now)),
        )
        clock.advance(seconds=1)
    answers = await rows(
        first, "SELECT question_id FROM answers WHERE superseded_at IS NULL ORDER BY id"
    )
    assert [a.question_id for a in answers] == ["mode", "satisfaction", "postal_code", "proposal"]
    assert len(await rows(first, "SELECT id FROM answers")) == 4
    said = await rows(first, "SELECT text FROM transcript_lines WHERE direction = 'in'")
    assert [s.text for s in said] == ["oui", "train", "4", "45000", "Plus de bus"]


async def test_one_residents_messages_to_two_processes_at_once_lose_nothing(open_service, clock):
    first, second = await open_service(), await open_service()
    client = Client(first, now=clock)
    await client.converse("alice", "bonjour", "oui", "train")
    # "4" (satisfaction) and "45000" (postal code) arrive at the same moment on two
    # processes: whichever goes first, each is handled on the state the other left.
    await asyncio.gather(
        first.handle(message("4", "x-1", clock.now)),
        second.handle(message("45000", "x-2", clock.now)),
    )
    said = await rows(first, "SELECT text FROM transcript_lines WHERE direction = 'in'")
    assert sorted(s.text for s in said[-2:]) == ["4", "45000"]
    current = await rows(first, "SELECT question_id FROM answers WHERE superseded_at IS NULL")
    stored = sorted(a.question_id for a in current)
    # Serialised, "4" then "45000" answers both; "45000" first is refused as a
    # satisfaction (out of range) and "4" then answers it. Never both lost or doubled.
    assert stored in (["mode", "postal_code", "satisfaction"], ["mode", "satisfaction"])
    assert len(await rows(first, "SELECT id FROM answers")) == len(stored)


async def test_a_newcomers_messages_to_two_processes_at_once_enrol_them_once(open_service, clock):
    """Before consent there is no participant row to lock: their pseudonym is
    locked instead, so the two copies of each message take turns."""
    first, second = await open_service(), await open_service()
    for text_, message_id in [("bonjour", "n-1"), ("oui", "n-2")]:
        replies = await asyncio.gather(
            first.handle(message(text_, message_id, clock.now, user="nina")),
            second.handle(message(text_, message_id, clock.now, user="nina")),
        )
        assert replies[0] == replies[1]  # the second copy gets the first one's replies
        clock.advance(seconds=1)
    assert await rows(first, "SELECT sum(opened) FROM openings") == [(1,)]  # one resident
    assert len(await rows(first, "SELECT id FROM participants")) == 1
    assert len(await rows(first, "SELECT id FROM sessions")) == 1
    said = await rows(first, "SELECT text FROM transcript_lines WHERE direction = 'in'")
    assert [s.text for s in said] == ["oui"]  # nothing is kept of what came before consent
    await Client(first, now=clock).converse("nina", "train")
    current = await rows(first, "SELECT question_id FROM answers WHERE superseded_at IS NULL")
    assert [a.question_id for a in current] == ["mode"]
