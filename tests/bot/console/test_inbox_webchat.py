"""A moderator's reply to a web chat resident, through the console over real
HTTP, the resident's tab a real WebSocket client: the console says "Sent" only
once a tab that confirms (the widget) said `seen`; a reply written to a
connection that died unnoticed is said saved for their next visit, as it is.
On PostgreSQL, also with the chat held by another server process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import unescape
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app import TEAM_MESSAGES, WEBCHAT
from storage import team_messages
from storage.models import ConsoleRole, TeamMessageState
from tests.bot.channels.test_webchat import Chat, Tab
from tests.bot.console.site import Site, client, console_site, post_form, sign_in
from tests.serving import running, settings_for

SENT = "Sent: the resident's channel has your reply."
SAVED = "Saved: the resident sees your reply when they next open the chat or write."
# A widget answers `seen` within a round trip; a tab that does not is given up
# on after this (5 s in production; short here, the wait is not what is tested).
SEEN_WITHIN_S = 0.5


@asynccontextmanager
async def _chat_server(site: Site, database_url: str, elsewhere: bool) -> AsyncIterator[Chat]:
    """The chat's server: the console's own, or (PostgreSQL) another process."""
    async with aiohttp.ClientSession() as http:
        if not elsewhere:
            site.app[WEBCHAT].push.seen_within = SEEN_WITHIN_S
            yield Chat(site.url, http, site.app[WEBCHAT])
            return
        async with running(settings_for(database_url)) as (base, app):
            app[WEBCHAT].push.seen_within = SEEN_WITHIN_S
            yield Chat(base, http, app[WEBCHAT])


async def _reads_and_says_seen(tab: Tab) -> dict[str, Any]:
    """The widget: a team frame arrives, the tab says it has it."""
    frame = await tab.frame()
    assert frame["type"] == "team"
    await tab.ws.send_json({"v": 1, "type": "seen", "id": frame["id"]})
    return frame


async def _states(site: Site, session_id: int) -> list[TeamMessageState]:
    async with site.database.transaction() as s:
        return [m.state for m in await team_messages.for_session(s, session_id)]


@pytest.mark.parametrize("elsewhere", [False, True], ids=["same_process", "other_process"])
async def test_a_web_chat_reply_is_said_sent_only_once_the_resident_s_tab_has_it(
    database_url: str, tmp_path: Path, elsewhere: bool
):
    if elsewhere and not database_url.startswith("postgresql"):
        pytest.skip("several processes share a PostgreSQL database only")
    async with (
        console_site(database_url, tmp_path) as site,
        _chat_server(site, database_url, elsewhere) as chat,
    ):
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        tab = await chat.hello(seen=True)
        for text in ("bonjour", "oui", "humain"):
            await tab.say(text)
        [waiting] = await site.app[TEAM_MESSAGES].inbox()
        session_id = waiting.session_id
        reply = f"/console/inbox/{session_id}/reply"
        async with client() as http:
            token = await sign_in(http, site, "ana@region.fr")

            # The socket takes the frame, the phone (off Wi-Fi) never shows it.
            status, path, html = await post_form(
                http, site, reply, {"csrf": token, "text": "Vous nous lisez ?"}
            )
            assert (status, path) == (200, f"/console/inbox/{session_id}")
            assert SAVED in html
            assert SENT not in unescape(html)
            assert "by ana@region.fr: queued" in html
            assert (await tab.frame())["text"] == "Vous nous lisez ?"
            assert await _states(site, session_id) == [TeamMessageState.QUEUED]

            # The phone is back: the reply waiting comes at the welcome, and the
            # next one, said seen, is said sent; "mark handled" takes it out.
            again = await chat.hello(tab.token, seen=True)
            assert (await _reads_and_says_seen(again))["text"] == "Vous nous lisez ?"
            (status, path, html), frame = await asyncio.gather(
                post_form(http, site, reply, {"csrf": token, "text": "Merci.", "done": "1"}),
                _reads_and_says_seen(again),
            )
            assert frame["text"] == "Merci."
            assert (status, path) == (200, "/console/inbox")
            assert SENT in unescape(html)
            assert "No resident is waiting for a person." in html
        assert await _states(site, session_id) == [TeamMessageState.DELIVERED] * 2
