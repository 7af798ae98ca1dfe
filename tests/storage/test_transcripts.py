import datetime as dt

from storage import transcripts
from storage.database import Database
from storage.models import Direction
from storage.transcripts import TranscriptLine
from tests.storage.seeding import NOW, Seeded


async def test_lines_come_back_in_order_with_everything_written(database: Database, seeded: Seeded):
    later = NOW + dt.timedelta(seconds=1)
    written = [
        TranscriptLine(
            Direction.IN,
            "en voiture",
            NOW,
            platform_message_id="tg-41",
            interpretation={"kind": "answer", "value": "car"},
        ),
        TranscriptLine(
            Direction.OUT,
            "De 1 à 5, êtes-vous satisfait ?",
            later,
            buttons=[{"title": "1", "payload": "1"}, {"title": "5", "payload": "5"}],
        ),
    ]
    async with database.transaction() as s:
        await transcripts.append(s, seeded.session_id, written)
        await transcripts.append(s, seeded.session_id, [])
    async with database.transaction() as s:
        stored = await transcripts.for_session(s, seeded.session_id)
    assert [(line.direction, line.text, line.at) for line in stored] == [
        (Direction.IN, "en voiture", NOW),
        (Direction.OUT, "De 1 à 5, êtes-vous satisfait ?", later),
    ]
    assert stored[0].interpretation == {"kind": "answer", "value": "car"}
    assert stored[0].platform_message_id == "tg-41"
    assert stored[0].buttons is None
    assert stored[1].buttons == [{"title": "1", "payload": "1"}, {"title": "5", "payload": "5"}]
    assert all(line.session_id == seeded.session_id and line.id for line in stored)
