"""`consultbot webhooks` as an operator runs it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from storage import outbox, webhooks
from storage.database import Database
from tests.bot.cli.running import consultbot

KEY = "test-secret-key-0123456789abcdef"


async def test_replay_rewinds_a_known_endpoint_and_refuses_an_unknown_one_as_disable_does(
    database: Database, database_url: str, tmp_path: Path
):
    async with database.transaction() as s:
        payload = {"consultation_id": "c", "version": 1, "title": None}
        moment = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
        await outbox.enqueue(s, "consultation.deployed", payload, now=moment)
    added = await consultbot(
        "webhooks",
        "add",
        "http://127.0.0.1:9/hook",
        cwd=tmp_path,
        database_url=database_url,
        CONSULTBOT_SECRET_KEY=KEY,
    )
    assert added.code == 0, added.err  # it starts after the event: replay sends it
    for action in (("disable", "99"), ("replay", "99", "--since", "2026-12-01")):
        refused = await consultbot("webhooks", *action, cwd=tmp_path, database_url=database_url)
        assert refused.code == 1, action
        assert "no webhook 99: `consultbot webhooks list` shows them" in refused.err, action
        assert refused.out == "", action
    async with database.transaction() as s:
        (endpoint,) = await webhooks.all_endpoints(s)
    replayed = await consultbot(
        "webhooks",
        "replay",
        str(endpoint.id),
        "--since",
        "2026-12-01",
        cwd=tmp_path,
        database_url=database_url,
    )
    assert replayed.code == 0, replayed.err
    assert replayed.out == "1 webhook(s) will get again the events since 2026-12-01 00:00\n"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:99999/hook", "its port must be a number from 1 to 65535"),
        ("https://engine.example/hooks ", "a URL has no spaces"),
        ("https://engine .example/hooks", "a URL has no spaces"),
        ("ftp://engine.example/hooks", "is not an http(s) URL"),
    ],
)
async def test_add_refuses_a_url_no_delivery_could_reach(
    database: Database, database_url: str, tmp_path: Path, url: str, why: str
):
    """Refused at once, in words, rather than taken and failed for 3 days."""
    refused = await consultbot(
        "webhooks", "add", url, cwd=tmp_path, database_url=database_url, CONSULTBOT_SECRET_KEY=KEY
    )
    assert refused.code == 2
    assert why in refused.err
    assert refused.out == ""
    async with database.transaction() as s:
        assert await webhooks.all_endpoints(s) == []
