"""Rate limits hold for the deployment: a client of the pull API that spreads
its requests over two `consultbot serve` processes on one PostgreSQL database
gets the deployment's limit, not twice it, and is refused with a clear 429 and
Retry-After."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import aiohttp

from storage import api_tokens
from storage.database import Database
from tests.e2e.test_workers import ONLY_POSTGRESQL, Serve, start_all, started

__all__ = ["started"]  # the fixture, used by name

BURST = 4


async def make_token(database_url: str) -> str:
    token = "cbt_" + secrets.token_urlsafe(16)
    database = await Database.connect(database_url)
    try:
        async with database.transaction() as session:
            made = await api_tokens.create(
                session, "engine", token, ["events:read"], now=dt.datetime.now(dt.UTC)
            )
            assert made is not None
    finally:
        await database.close()
    return token


@ONLY_POSTGRESQL
async def test_a_client_alternating_between_two_processes_gets_the_deployment_limit(
    database_url: str, tmp_path: Path, started: list[Serve]
):
    # One request a minute after the burst: nothing refills while the test runs.
    limits = {"API__RATE_PER_MINUTE": "1", "API__BURST": str(BURST)}
    first, second = Serve(database_url, **limits), Serve(database_url, **limits)
    started += [first, second]
    await start_all(started, tmp_path)
    token = await make_token(database_url)
    headers = {"Authorization": f"Bearer {token}"}
    answers = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        for number in range(3 * BURST):
            server = (first, second)[number % 2]
            async with http.get(server.url + "/api/v1/events", headers=headers) as response:
                answers.append((response.status, await response.json(), response.headers))
    statuses = [status for status, _, _ in answers]
    assert statuses == [200] * BURST + [429] * (2 * BURST)  # not 2 * BURST let through
    for _, body, response_headers in answers[BURST:]:
        assert body["code"] == "rate_limited"
        assert "try again in" in body["message"]
        assert 1 <= int(response_headers["Retry-After"]) <= 60
    for server in started:
        code, err = await server.stop()
        assert code == 0, err
