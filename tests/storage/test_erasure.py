import datetime as dt

import pytest
from sqlalchemy import func, select

from storage import answers, audit, erasure, inbound, outbox, participants, sessions, transcripts
from storage.database import Database
from storage.errors import NotFound
from storage.models import AnswerRow, Direction, SessionRow, SessionStatus
from storage.transcripts import TranscriptLine
from tests.storage.seeding import NOW, Seeded, seed

LATER = NOW + dt.timedelta(days=2)


async def _converse(db: Database, seeded: Seeded) -> None:
    """Two answers (one corrected), a transcript, a processed message, events."""
    async with db.transaction() as s:
        for value in ("car", "train"):
            await answers.record(
                s, seeded.session_id, "mode", value, question_text="Mode ?", language="fr", now=NOW
            )
        await answers.record(
            s,
            seeded.session_id,
            "why",
            "trop cher",
            question_text="Pourquoi ?",
            language="fr",
            now=NOW,
            needs_moderation=True,
        )
        await transcripts.append(
            s,
            seeded.session_id,
            [TranscriptLine(Direction.IN, "train", NOW), TranscriptLine(Direction.OUT, "Ok", NOW)],
        )
        claim = await inbound.claim(s, "telegram", seeded.user_hash, "m-1", now=NOW)
        await inbound.store_replies(s, claim.id, [{"text": "Ok"}])
        delivered = await outbox.enqueue(
            s, "session.completed", {"n": 1}, now=NOW, participant_id=seeded.participant_id
        )
        await outbox.mark_delivered(s, [delivered], now=NOW)
        await outbox.enqueue(
            s, "session.completed", {"n": 2}, now=NOW, participant_id=seeded.participant_id
        )
        await sessions.save(
            s,
            seeded.session_id,
            now=NOW,
            status=SessionStatus.COMPLETED,
            state={"answers": [["postal_code", "45000"]]},
            departement="45",
        )


async def _count(db: Database, column) -> int:
    async with db.transaction() as s:
        return await s.scalar(select(func.count(column))) or 0


async def test_deleting_erases_everything_of_the_person_and_audits_counts(
    database: Database, seeded: Seeded
):
    bystander = await seed(database, user_hash="cd" * 32)
    await _converse(database, seeded)
    await _converse(database, bystander)
    async with database.transaction() as s:
        counts = await erasure.delete_participant_data(
            s, seeded.participant_id, now=LATER, keep_anonymised_answers=False
        )
    assert counts == erasure.ErasureCounts(
        participants=1,
        sessions=1,
        transcript_lines=2,
        answers_deleted=3,
        answers_anonymised=0,
        inbound_messages=1,
        outbox_events=1,
    )
    async with database.transaction() as s:
        assert await participants.find(s, "telegram", seeded.user_hash) is None
        again = await inbound.claim(s, "telegram", seeded.user_hash, "m-1", now=LATER)
        assert again.is_new  # the stored replies went too
        pending = await outbox.pending(s, now=LATER)
        records = await audit.recent(s, action="delete_data")
        # The bystander keeps everything.
        assert len(await answers.history(s, bystander.session_id)) == 3
        assert len(await transcripts.for_session(s, bystander.session_id)) == 2
    # The engine is told which sessions' contributions to delete.
    kept = [e for e in pending if e.type != "consultation.deployed"]
    assert [(e.participant_id, e.type) for e in kept] == [
        (bystander.participant_id, "session.completed"),
        (None, "participant.erased"),
    ]
    assert kept[1].payload == {"sessions": [seeded.session_id]}
    assert len(records) == 1
    assert records[0].at == LATER
    assert records[0].counts["answers_deleted"] == 3
    assert records[0].counts["transcript_lines"] == 2


async def test_the_ids_of_erased_data_are_never_given_again(database: Database, seeded: Seeded):
    """The erased resident's were the newest rows: the next resident's session,
    answers and events get new ids, not theirs (public ids and receipt codes
    are made of them, and an engine told of the erasure knows them)."""
    await _converse(database, seeded)
    async with database.transaction() as s:
        erased_answers = [a.id for a in await answers.history(s, seeded.session_id)]
        pending = await outbox.pending(s, now=NOW)
        erased_events = [e.id for e in pending if e.participant_id == seeded.participant_id]
        await erasure.delete_participant_data(
            s, seeded.participant_id, now=LATER, keep_anonymised_answers=False
        )
    after = await seed(database, user_hash="cd" * 32)
    await _converse(database, after)
    async with database.transaction() as s:
        given_answers = [a.id for a in await answers.history(s, after.session_id)]
        pending = await outbox.pending(s, now=LATER)
        given_events = [e.id for e in pending if e.participant_id == after.participant_id]
    assert after.session_id > seeded.session_id
    assert min(given_answers) > max(erased_answers)
    assert min(given_events) > max(erased_events)


async def test_kept_answers_are_anonymised_with_no_link_to_the_person(
    database: Database, seeded: Seeded
):
    await _converse(database, seeded)
    async with database.transaction() as s:
        counts = await erasure.delete_participant_data(
            s, seeded.participant_id, now=LATER, keep_anonymised_answers=True
        )
    assert (counts.answers_anonymised, counts.answers_deleted) == (2, 1)  # the corrected one goes
    assert counts.transcript_lines == 2
    async with database.transaction() as s:
        kept = (
            await s.execute(
                select(
                    AnswerRow.question_id,
                    AnswerRow.value,
                    AnswerRow.answered_at,
                    AnswerRow.moderation_status,
                    SessionRow.id,
                    SessionRow.participant_id,
                    SessionRow.flow_version_id,
                    SessionRow.state,
                    SessionRow.departement,
                ).join(SessionRow, SessionRow.id == AnswerRow.session_id)
            )
        ).all()
        records = await audit.recent(s, action="delete_data")
    midnight = NOW.replace(hour=0, minute=0)
    assert sorted((k.question_id, k.value) for k in kept) == [
        ("mode", "train"),
        ("why", "trop cher"),
    ]
    assert {k.participant_id for k in kept} == {None}
    assert {k.id for k in kept} != {seeded.session_id}
    assert {k.answered_at for k in kept} == {midnight}
    assert {k.flow_version_id for k in kept} == {seeded.flow_version_id}
    assert all(k.state == {} for k in kept)  # no engine state left
    # The results still count them in their département (their place answers are kept).
    assert {k.departement for k in kept} == {"45"}
    assert "pending" in {k.moderation_status for k in kept}  # still to be moderated
    assert records[0].counts["answers_anonymised"] == 2
    assert await _count(database, SessionRow.id) == 1


async def test_deleting_an_unknown_participant_is_a_named_error_and_writes_nothing(
    database: Database,
):
    with pytest.raises(NotFound):
        async with database.transaction() as s:
            await erasure.delete_participant_data(s, 404, now=LATER, keep_anonymised_answers=False)
    async with database.transaction() as s:
        assert await audit.recent(s) == []
