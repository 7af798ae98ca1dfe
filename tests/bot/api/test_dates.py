"""The API gives the opening and closing dates residents are held to: those an
organizer set in the console, over the flow file's, until the next deployment."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

import aiohttp

from bot.deployment import BUNDLED_FLOWS
from storage import api_tokens, consultations
from storage.models import ConsoleRole
from tests.bot.api.test_routes import check
from tests.bot.console.site import Site, client, console_site, post_form, sign_in

MOBILITE = (BUNDLED_FLOWS / "mobilite.yml").read_text(encoding="utf-8")


async def _consultation(http: aiohttp.ClientSession, site: Site, token: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with http.get(f"{site.url}/api/v1/consultations", headers=headers) as response:
        assert response.status == 200
        body = await response.json()
    check("ConsultationList", body)
    [found] = [c for c in body["data"] if c["id"] == "mobilite"]
    return found


async def test_dates_changed_in_the_console_are_those_the_api_gives(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("olga@region.fr", ConsoleRole.ORGANIZER)
        token = "cbt_" + secrets.token_urlsafe(16)
        async with site.database.transaction() as s:
            await api_tokens.create(
                s, "engine", token, ["contributions:read"], now=dt.datetime.now(dt.UTC)
            )
        async with client() as http:
            first = await _consultation(http, site, token)
            assert (first["opens"], first["closes"]) == (None, None)  # the file sets none

            csrf = await sign_in(http, site, "olga@region.fr")
            status, _, page = await post_form(
                http,
                site,
                "/console/flows/mobilite/dates",
                {"csrf": csrf, "opens": "2030-01-01", "closes": "2030-02-15"},
            )
            assert status == 200
            assert "Dates changed" in page
            changed = await _consultation(http, site, token)
            assert (changed["opens"], changed["closes"]) == ("2030-01-01", "2030-02-15")
            assert changed["version"] == first["version"]

            await post_form(http, site, "/console/flows/mobilite/close", {"csrf": csrf})
            closed = await _consultation(http, site, token)
            async with site.database.read() as s:
                dates = await consultations.dates_of(s, "mobilite")
            assert dates is not None
            assert dates.closes is not None
            assert closed["closes"] == dates.closes.isoformat() != changed["closes"]

            # A new deployment brings its file's dates back.
            async with site.database.transaction() as s:
                await consultations.deploy(
                    s, "mobilite", MOBILITE + "\n", deployed_by="test", now=dt.datetime.now(dt.UTC)
                )
            again = await _consultation(http, site, token)
            assert (again["opens"], again["closes"]) == (None, None)
            assert again["version"] == first["version"] + 1
