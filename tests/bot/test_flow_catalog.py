"""Deployed flows are read outside any transaction, once per version."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot import flow_catalog
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


async def test_residents_needing_an_unread_flow_at_once_share_one_read(database, monkeypatch):
    # Fifty first messages at once used to start fifty parses of the same file
    # in fifty threads, which starved every reply of the GIL.
    await deploy_file(database, BUNDLED_FLOWS / "lycees.yml", now=NOW, deployed_by="test")
    catalog = FlowCatalog()
    parses: list[str] = []
    real_parse = flow_catalog.parse_flow

    def counting_parse(definition: str, source: str):
        parses.append(source)
        return real_parse(definition, source)

    monkeypatch.setattr(flow_catalog, "parse_flow", counting_parse)

    async def work(session):
        return (await catalog.live(session, "lycees")).flow.id

    found = await asyncio.gather(*(catalog.within(database, work) for _ in range(20)))
    assert found == ["lycees"] * 20
    assert len(parses) == 1
