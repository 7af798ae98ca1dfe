import datetime as dt

import pytest

from storage import consultations, participants, sessions
from storage.database import Database
from storage.errors import NotFound

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
V1 = "id: mobilite\nquestions: [mode]\n"
V2 = "id: mobilite\nquestions: [mode, why]\n"


async def test_first_deployment_stores_version_one_live(database: Database):
    async with database.transaction() as s:
        deployment = await consultations.deploy(
            s, "mobilite", V1, deployed_by="alice", now=NOW, title="Mobilité", source="m.yml"
        )
    version = deployment.version
    assert deployment.changed
    assert (version.version, version.live, version.definition) == (1, True, V1)
    assert version.checksum == consultations.checksum_of(V1)
    assert (version.deployed_by, version.deployed_at, version.source) == ("alice", NOW, "m.yml")


async def test_redeploying_the_same_definition_stores_nothing(database: Database):
    async with database.transaction() as s:
        first = await consultations.deploy(s, "mobilite", V1, deployed_by="a", now=NOW)
    async with database.transaction() as s:
        again = await consultations.deploy(s, "mobilite", V1, deployed_by="b", now=NOW)
        overview = await consultations.overview(s)
    assert not again.changed
    assert again.version == first.version
    assert [len(c.versions) for c in overview] == [1]


async def test_a_changed_definition_becomes_the_new_live_version(database: Database):
    later = NOW + dt.timedelta(days=1)
    async with database.transaction() as s:
        first = await consultations.deploy(s, "mobilite", V1, deployed_by="a", now=NOW)
    async with database.transaction() as s:
        second = await consultations.deploy(s, "mobilite", V2, deployed_by="a", now=later)
        live = await consultations.live_version(s, "mobilite")
        old = await consultations.get_version(s, first.version.id)
    assert second.changed
    assert second.version.version == 2
    assert live == second.version
    assert not old.live
    assert old.definition == V1


async def test_overview_lists_versions_the_live_one_and_session_counts(database: Database):
    async with database.transaction() as s:
        v1 = await consultations.deploy(s, "mobilite", V1, deployed_by="a", now=NOW)
        for n in range(2):
            p, _ = await participants.get_or_create(s, "web", f"{n:064x}", now=NOW)
            await sessions.create(s, p.id, v1.version.id, {}, now=NOW)
        await consultations.deploy(s, "mobilite", V2, deployed_by="a", now=NOW)
        await consultations.deploy(s, "budget", "id: budget\n", deployed_by="a", now=NOW)
        overview = await consultations.overview(s)
    assert [c.id for c in overview] == ["budget", "mobilite"]
    mobilite = overview[1]
    assert [(v.version, v.live, v.sessions) for v in mobilite.versions] == [
        (1, False, 2),
        (2, True, 0),
    ]
    assert mobilite.live is not None
    assert mobilite.live.version == 2


async def test_live_versions_lists_one_per_consultation(database: Database):
    async with database.transaction() as s:
        await consultations.deploy(s, "mobilite", V1, deployed_by="a", now=NOW)
        await consultations.deploy(s, "mobilite", V2, deployed_by="a", now=NOW)
        await consultations.deploy(s, "budget", "id: budget\n", deployed_by="a", now=NOW)
        live = await consultations.live_versions(s)
    assert [(v.consultation_id, v.version) for v in live] == [("budget", 1), ("mobilite", 2)]


async def test_an_unknown_version_is_a_named_error(database: Database):
    async with database.transaction() as s:
        with pytest.raises(NotFound):
            await consultations.get_version(s, 999)
        assert await consultations.live_version(s, "nothing") is None


async def test_the_live_version_id_follows_deployments_and_comes_with_the_console_dates(database):
    import datetime as dt

    from storage import consultations

    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    async with database.transaction() as session:
        assert await consultations.live_id_and_dates(session, "velo") is None
        first = await consultations.deploy(session, "velo", "id: velo\n", deployed_by="t", now=now)
        assert await consultations.live_id_and_dates(session, "velo") == (first.version.id, None)
        second = await consultations.deploy(
            session, "velo", "id: velo # 2\n", deployed_by="t", now=now
        )
        await consultations.set_dates(session, "velo", None, dt.date(2026, 6, 30), now=now)
        live = await consultations.live_id_and_dates(session, "velo")
        assert live is not None
        version_id, dates = live
        assert version_id == second.version.id
        assert dates is not None
        assert (dates.opens, dates.closes) == (None, dt.date(2026, 6, 30))


async def test_dates_set_last_until_a_changed_version_is_deployed(database: Database):
    opens, closes = dt.date(2026, 6, 1), dt.date(2026, 6, 30)
    async with database.transaction() as s:
        await consultations.deploy(s, "mobilite", V1, deployed_by="a", now=NOW)
        assert await consultations.dates_of(s, "mobilite") is None  # the file's apply
        await consultations.set_dates(s, "mobilite", opens, closes, now=NOW)
        with pytest.raises(NotFound):
            await consultations.set_dates(s, "budget", None, None, now=NOW)
    async with database.transaction() as s:
        dates = await consultations.dates_of(s, "mobilite")
        await consultations.deploy(s, "mobilite", V1, deployed_by="a", now=NOW)  # unchanged
        kept = await consultations.dates_of(s, "mobilite")
        [summary] = await consultations.overview(s)
    assert dates == consultations.Dates(opens, closes, NOW)
    assert kept == dates
    assert summary.dates == dates
    async with database.transaction() as s:
        await consultations.deploy(s, "mobilite", V2, deployed_by="a", now=NOW)
        assert await consultations.dates_of(s, "mobilite") is None
        assert [v.version for v in await consultations.versions(s, "mobilite")] == [1, 2]
