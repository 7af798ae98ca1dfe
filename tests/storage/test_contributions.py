"""Contributions and the outbox feed: commit order, replacement, erasure."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from storage import answers, contributions, erasure, outbox
from storage.commit_order import START
from storage.database import Database
from tests.storage.seeding import NOW, Seeded

LATER = NOW + dt.timedelta(hours=1)


async def _record(db: Database, seeded: Seeded, *, partial: bool) -> int:
    """Record the seeded session's contribution; the id of the event announcing it."""
    async with db.transaction() as s:
        await contributions.record(
            s,
            session_id=seeded.session_id,
            consultation_id="mobilite",
            flow_version_id=seeded.flow_version_id,
            participant_id=seeded.participant_id,
            channel="telegram",
            language="fr",
            partial=partial,
            pseudonym="p_1",
            now=NOW,
            payload={"session": seeded.session_id, "answers": [{"value": "mes mots"}]},
        )
    async with db.read() as s:
        return (await outbox.feed(s))[-1].id


async def test_a_partial_contribution_completed_later_is_handed_out_again(
    database: Database, seeded: Seeded
):
    await _record(database, seeded, partial=True)
    async with database.transaction() as s:
        first = await contributions.page(s, "mobilite")
    assert [(c.session_id, c.partial) for c in first] == [(seeded.session_id, True)]
    await _record(database, seeded, partial=False)
    async with database.transaction() as s:
        again = await contributions.page(s, "mobilite", after_position=first[-1].position)
        events = await outbox.feed(s)
        assert await contributions.page(s, "other") == []
    assert [(c.session_id, c.partial) for c in again] == [(seeded.session_id, False)]
    assert [e.type for e in events] == [
        "consultation.deployed",
        "contribution.partial",
        "contribution.completed",
    ]


async def test_erasure_leaves_only_ids_in_stored_events_and_names_the_sessions(
    database: Database, seeded: Seeded
):
    event_id = await _record(database, seeded, partial=False)
    async with database.transaction() as s:
        await outbox.mark_delivered(s, [event_id], now=NOW)
        await answers.record(
            s, seeded.session_id, "why", "mes mots", question_text="?", language="fr", now=NOW
        )
        await erasure.delete_participant_data(
            s, seeded.participant_id, now=LATER, keep_anonymised_answers=False
        )
    async with database.transaction() as s:
        events = await outbox.feed(s)
        assert await contributions.page(s, "mobilite") == []
    assert [(e.type, e.payload) for e in events[1:]] == [
        ("contribution.completed", {"erased": True, "session": seeded.session_id}),
        ("participant.erased", {"sessions": [seeded.session_id]}),
    ]
    assert "mes mots" not in repr(events)


async def test_the_feed_never_skips_an_event_committed_late(database: Database, database_url: str):
    """Two transactions commit out of order: the one that took the smaller id
    commits last. A reader polling between the commits must still get both."""
    if database.backend != "postgresql":
        pytest.skip("SQLite has one writer at a time: transactions cannot interleave")
    other = await Database.connect(database_url)
    early_inserted, late_committed = asyncio.Event(), asyncio.Event()

    async def slow_writer() -> None:
        async with database.transaction() as s:
            await outbox.enqueue(s, "test.event", {"n": "slow"}, now=NOW)  # the smaller id
            early_inserted.set()
            await late_committed.wait()

    try:
        writing = asyncio.create_task(slow_writer())
        await early_inserted.wait()
        async with other.transaction() as s:
            await outbox.enqueue(s, "test.event", {"n": "fast"}, now=NOW)  # commits first
        async with other.transaction() as s:
            seen = await outbox.feed(s)
        cursor = seen[-1].position if seen else START
        late_committed.set()
        await writing
        async with other.transaction() as s:
            seen += await outbox.feed(s, after_position=cursor)
    finally:
        late_committed.set()
        await other.close()
    assert sorted(e.payload["n"] for e in seen) == ["fast", "slow"]


async def test_pages_hand_out_every_contribution_once_in_commit_order(
    database: Database, seeded: Seeded
):
    from sqlalchemy import text

    from storage import participants, sessions

    made = []
    for n in range(11):
        async with database.transaction() as s:
            participant, _ = await participants.get_or_create(s, "web", f"{n:064x}", now=NOW)
            stored = await sessions.create(s, participant.id, seeded.flow_version_id, {}, now=NOW)
            await contributions.record(
                s, session_id=stored.id, consultation_id="mobilite",
                flow_version_id=seeded.flow_version_id, participant_id=participant.id,
                channel="web", language="fr", partial=False, pseudonym=f"p_{n}", now=NOW,
                payload={},
            )  # fmt: skip
        made.append(stored.id)
    read, position = [], START
    while True:
        async with database.read() as s:
            page = await contributions.page(s, "mobilite", after_position=position, limit=4)
            if database.backend == "postgresql":  # the page's planner setting stays its own
                assert (await s.execute(text("SHOW enable_bitmapscan"))).scalar() == "on"
        if not page:
            break
        read += [c.session_id for c in page]
        position = page[-1].position
    assert read == made
