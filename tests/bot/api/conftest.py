"""The application served on loopback with the API, and tokens to call it."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from storage import api_tokens
from storage.database import Database
from tests.serving import running, settings_for

WEBHOOK = "/webhooks/rest/webhook"


@dataclass
class Served:
    url: str
    app: web.Application
    http: aiohttp.ClientSession
    database: Database

    async def say(self, sender: str, *texts: str) -> None:
        for text in texts:
            async with self.http.post(
                self.url + WEBHOOK, json={"sender": sender, "message": text}
            ) as response:
                assert response.status == 200

    async def token(self, *scopes: str, revoked: bool = False) -> str:
        token = "cbt_" + secrets.token_urlsafe(16)
        now = dt.datetime.now(dt.UTC)
        async with self.database.transaction() as s:
            made = await api_tokens.create(s, secrets.token_hex(4), token, scopes, now=now)
            assert made is not None
            if revoked:
                await api_tokens.revoke(s, made.name, now=now)
        return token

    async def get(self, path: str, token: str | None) -> tuple[int, Any, Any]:
        return await self.call("GET", path, token)

    async def call(self, method: str, path: str, token: str | None) -> tuple[int, Any, Any]:
        """The answer's status, JSON body (refused if not JSON) and headers."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.http.request(method, self.url + path, headers=headers) as response:
            return response.status, await response.json(), response.headers


Serve = Callable[..., Awaitable[Served]]


@pytest.fixture
async def serve(database_url: str, tmp_path: Path) -> AsyncIterator[Serve]:
    """Starts the app on the test database (settings overridable)."""
    async with aiohttp.ClientSession() as http:
        stack: list[Any] = []

        async def start(**overrides: Any) -> Served:
            context = running(settings_for(database_url, **overrides))
            url, app = await context.__aenter__()
            stack.append(context)
            database = await Database.connect(database_url)
            stack.append(database)
            return Served(url, app, http, database)

        yield start
        for item in reversed(stack):
            if isinstance(item, Database):
                await item.close()
            else:
                await item.__aexit__(None, None, None)
