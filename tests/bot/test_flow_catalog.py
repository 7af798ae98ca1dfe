"""Deployed flows are read outside any transaction, once per version."""

from __future__ import annotations

import datetime as dt

from bot.deployment import BUNDLED_FLOWS, deploy_file
from bot.flow_catalog import FlowCatalog

NOW = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)


async def test_a_flow_is_read_with_no_transaction_open_then_the_work_runs_again(database):
    await deploy_file(database, BUNDLED_FLOWS / "lycees.yml", now=NOW, deployed_by="test")
    catalog = FlowCatalog()
    runs: list[str] = []

    async def work(session):
        runs.append("run")
        deployed = await catalog.live(session, "lycees")
        return deployed.flow.id

    assert await catalog.within(database, work) == "lycees"
    assert len(runs) == 2  # the first run found the flow unread and was rolled back
    assert await catalog.within(database, work) == "lycees"
    assert len(runs) == 3  # read once for the life of the process
