import datetime as dt

from storage import answers, audit, inbound, outbox, retention, team_messages, transcripts
from storage.database import Database
from storage.models import Direction
from storage.transcripts import TranscriptLine
from tests.storage.seeding import NOW, Seeded

OLD = NOW - dt.timedelta(days=400)
CUTOFF = NOW - dt.timedelta(days=365)


async def test_purge_erases_old_transcripts_keeps_answers_and_audits(
    database: Database, seeded: Seeded
):
    async with database.transaction() as s:
        await transcripts.append(
            s,
            seeded.session_id,
            [
                TranscriptLine(Direction.IN, "vieux", OLD),
                TranscriptLine(Direction.OUT, "vieux aussi", OLD),
                TranscriptLine(Direction.IN, "récent", NOW),
            ],
        )
        await answers.record(
            s, seeded.session_id, "mode", "car", question_text="Mode ?", language="fr", now=OLD
        )
        await inbound.claim(s, "telegram", seeded.user_hash, "old", now=OLD)
        await inbound.claim(s, "telegram", seeded.user_hash, "new", now=NOW)
        delivered = await outbox.enqueue(s, "session.completed", {}, now=OLD)
        await outbox.mark_delivered(s, [delivered], now=OLD)
        undelivered = await outbox.enqueue(s, "session.completed", {}, now=OLD)
    async with database.transaction() as s:
        counts = await retention.purge(s, older_than=CUTOFF, now=NOW)
    assert counts == retention.PurgeCounts(transcript_lines=2, inbound_messages=1, outbox_events=1)
    async with database.transaction() as s:
        remaining = await transcripts.for_session(s, seeded.session_id)
        kept_answers = await answers.current(s, seeded.session_id)
        assert not (await inbound.claim(s, "telegram", seeded.user_hash, "new", now=NOW)).is_new
        assert (await inbound.claim(s, "telegram", seeded.user_hash, "old", now=NOW)).is_new
        pending = await outbox.pending(s, now=NOW)
        records = await audit.recent(s)
    assert [line.text for line in remaining] == ["récent"]
    assert [a.value for a in kept_answers] == ["car"]
    kept = [e.id for e in pending if e.type == "session.completed"]
    assert kept == [undelivered]  # an undelivered event is never purged
    assert [(r.action, r.counts, r.details) for r in records] == [
        (
            "purge",
            {
                "transcript_lines": 2,
                "inbound_messages": 1,
                "outbox_events": 1,
                "erasure_receipts": 0,
                "team_messages": 0,
            },
            {"older_than": CUTOFF.isoformat()},
        )
    ]


async def test_purging_nothing_still_leaves_an_audit_record(database: Database):
    async with database.transaction() as s:
        counts = await retention.purge(s, older_than=CUTOFF, now=NOW)
        records = await audit.recent(s)
    assert counts == retention.PurgeCounts(0, 0, 0)
    assert [r.action for r in records] == ["purge"]


async def test_a_backlog_is_purged_in_batches_each_audited(database: Database, seeded: Seeded):
    async with database.transaction() as s:
        await transcripts.append(
            s,
            seeded.session_id,
            [TranscriptLine(Direction.IN, f"vieux {n}", OLD) for n in range(5)],
        )
    batches = []
    while not batches or batches[-1].reached(2):
        async with database.transaction() as s:
            batches.append(await retention.purge(s, older_than=CUTOFF, now=NOW, limit=2))
    async with database.transaction() as s:
        remaining = await transcripts.for_session(s, seeded.session_id)
        records = await audit.recent(s, action="purge")
    assert [b.transcript_lines for b in batches] == [2, 2, 1]
    assert sum(batches[1:], batches[0]).transcript_lines == 5
    assert remaining == []
    assert sorted(r.counts["transcript_lines"] for r in records) == [1, 2, 2]


async def test_purge_erases_old_messages_from_the_team(database: Database, seeded: Seeded):
    async with database.transaction() as s:
        for text, when in (("vieux", OLD), ("récent", NOW)):
            await team_messages.add(
                s, seeded.session_id, seeded.participant_id, text, "moderator-7", now=when
            )
    async with database.transaction() as s:
        counts = await retention.purge(s, older_than=CUTOFF, now=NOW)
        kept = await team_messages.for_session(s, seeded.session_id)
        lines = await transcripts.for_session(s, seeded.session_id)
    assert (counts.team_messages, counts.transcript_lines) == (1, 1)
    assert [m.text for m in kept] == [line.text for line in lines] == ["récent"]
