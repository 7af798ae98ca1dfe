import datetime as dt

from storage import audit
from storage.database import Database

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


async def test_records_come_back_newest_first_and_filtered_by_action(database: Database):
    async with database.transaction() as s:
        await audit.record(
            s, "purge", {"transcript_lines": 3}, now=NOW, details={"older_than": "x"}
        )
        await audit.record(s, "delete_data", {"answers_deleted": 2}, now=NOW)
    async with database.transaction() as s:
        everything = await audit.recent(s)
        purges = await audit.recent(s, action="purge")
    assert [r.action for r in everything] == ["delete_data", "purge"]
    assert everything[0].counts == {"answers_deleted": 2}
    assert everything[0].details == {}
    assert [(r.counts, r.details, r.at) for r in purges] == [
        ({"transcript_lines": 3}, {"older_than": "x"}, NOW)
    ]
