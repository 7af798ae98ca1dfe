"""The results count what sessions keep in columns of their own (language,
question reached, questions skipped, replaced by a later conversation),
written with the state by storage.sessions."""

import datetime as dt

from storage import consultations, results, sessions
from storage.database import Database
from storage.models import SessionStatus
from storage.results import Questions, ResultFilter
from tests.storage.seeding import NOW, Seeded

LATER = NOW + dt.timedelta(hours=1)


def _state(language: str, question: str | None, skipped: list[str]) -> dict[str, object]:
    return {"language": language, "question_id": question, "skipped": skipped, "answers": []}


async def test_a_resident_who_starts_again_is_counted_once_by_their_latest_conversation(
    database: Database, seeded: Seeded
):
    async with database.transaction() as s:
        await sessions.save(
            s,
            seeded.session_id,
            now=NOW,
            state=_state("fr", None, ["mode"]),
            status=SessionStatus.COMPLETED,
        )
        await sessions.create(
            s, seeded.participant_id, seeded.flow_version_id, _state("en", "why", []), now=LATER
        )
        found = await results.figures(
            s, ResultFilter("mobilite"), Questions(categorical=("mode", "why"))
        )
    assert dict(found.progress.by_status) == {"active": 1}
    steps = {step.question_id: step for step in found.funnel}
    assert (steps["why"].left, steps["mode"].skipped) == (1, 0)


async def test_a_conversation_in_another_consultation_replaces_nothing(
    database: Database, seeded: Seeded
):
    async with database.transaction() as s:
        await sessions.save(
            s,
            seeded.session_id,
            now=NOW,
            state=_state("fr", None, ["mode"]),
            status=SessionStatus.COMPLETED,
        )
        other = await consultations.deploy(
            s, "velo", "id: velo\nquestions: []\n", deployed_by="test", now=NOW
        )
        await sessions.create(
            s, seeded.participant_id, other.version.id, _state("en", "why", []), now=LATER
        )
        found = await results.figures(s, ResultFilter("mobilite"), Questions(categorical=("mode",)))
        english = await results.figures(
            s, ResultFilter("mobilite", language="en"), Questions(categorical=("mode",))
        )
        offered = await results.choices(s, "mobilite")
    assert dict(found.progress.by_status) == {"completed": 1}
    assert [(step.question_id, step.skipped) for step in found.funnel] == [("mode", 1)]
    assert dict(english.progress.by_status) == {}
    assert offered.languages == ("fr",)
