"""The real application on loopback with the console, on the test database,
and what console tests need: accounts, pending answers, a signed-in client."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.app import CONVERSATIONS
from bot.channel_contract import InboundMessage
from bot.console.accounts import Accounts
from bot.console.totp import TotpCipher
from bot.conversation import ConversationService
from bot.keys import Keys
from storage import answers, consultations, participants, sessions, transcripts
from storage.database import Database
from storage.models import ConsoleRole, Direction
from storage.transcripts import TranscriptLine
from tests.serving import running, settings_for

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Site:
    url: str
    app: web.Application
    database: Database
    accounts: Accounts
    said: int = 0

    async def user(
        self, email: str, role: ConsoleRole, consultations: list[str] | None = None
    ) -> str:
        link = await self.accounts.add(email, role, by="test", consultations=consultations)
        await self.accounts.set_password(link.url.rsplit("/", 1)[1], PASSWORD)
        return email

    async def says(
        self,
        channel: str,
        user: str,
        text: str,
        *,
        consultation: str | None = None,
        address: str | None = None,
    ) -> list[str]:
        """A resident of `channel` writes `text` through the real conversation
        service; the texts of the replies."""
        service = self.app[CONVERSATIONS]
        self.said += 1
        message = InboundMessage(
            channel,
            user,
            text,
            f"{user}-{self.said}",
            dt.datetime.now(dt.UTC),
            consultation_id=consultation,
            address=address,
        )
        return [reply.text for reply in await service.handle(message)]

    async def asks_for_a_person(
        self,
        channel: str,
        user: str,
        *,
        consultation: str | None = None,
        address: str | None = None,
    ) -> int:
        """A resident greets, consents and writes "humain"; their conversation's number."""
        replies: list[str] = []
        for text in ("bonjour", "oui", "humain"):
            replies = await self.says(
                channel, user, text, consultation=consultation, address=address
            )
        assert "un membre de l'équipe" in replies[0], replies
        service = self.app[CONVERSATIONS]
        assert isinstance(service, ConversationService)
        async with self.database.transaction() as s:
            found = await participants.find(s, channel, service.pseudonym(channel, user))
            assert found is not None
            latest = await sessions.latest(s, found.id)
            assert latest is not None
            return latest.id

    async def pending(
        self,
        text: str,
        *,
        consultation: str = "mobilite",
        channel: str = "webchat",
        at: dt.datetime | None = None,
    ) -> int:
        """A resident of `channel` answered `text` to a free-text question."""
        now = at or dt.datetime.now(dt.UTC)
        async with self.database.transaction() as s:
            version = await consultations.live_version(s, consultation)
            assert version is not None
            count = await s.scalar(
                __import__("sqlalchemy").text("SELECT count(*) FROM participants")
            )
            participant, _ = await participants.get_or_create(s, channel, f"{count:064x}", now=now)
            stored = await sessions.create(s, participant.id, version.id, {}, now=now)
            await transcripts.append(
                s,
                stored.id,
                [
                    TranscriptLine(
                        Direction.OUT,
                        "Qu'est-ce qui ne va pas ?",
                        now,
                        buttons=[["Passer", "skip"]],
                    ),
                    TranscriptLine(Direction.IN, text, now),
                ],
            )
            return await answers.record(
                s,
                stored.id,
                "why",
                text,
                question_text="Qu'est-ce qui ne va pas ?",
                language="fr",
                now=now,
                raw_text=text,
                needs_moderation=True,
            )


@asynccontextmanager
async def console_site(
    database_url: str,
    tmp_path: Path,
    telegram: dict[str, Any] | None = None,
    server: dict[str, Any] | None = None,
    **console: Any,
) -> AsyncIterator[Site]:
    extra = {"telegram": telegram} if telegram else {}
    if server:
        extra["server"] = server
    settings = settings_for(database_url, console=console, **extra)
    async with running(settings) as (url, app):
        database = await Database.connect(database_url)
        try:
            accounts = Accounts(database, settings, TotpCipher(Keys.from_settings(settings)))
            yield Site(url, app, database, accounts)
        finally:
            await database.close()


async def post_form(
    http: aiohttp.ClientSession, site: Site, path: str, data: dict[str, str]
) -> tuple[int, str, str]:
    """Post a console form as the browser does (same origin), following the
    redirect: the status, the path landed on and the page."""
    async with http.post(
        site.url + path, data=data, headers={"Origin": site.url}, allow_redirects=True
    ) as response:
        return response.status, response.url.path, await response.text()


def client() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, "no form token on the page"
    return found.group(1)


async def sign_in(http: aiohttp.ClientSession, site: Site, email: str) -> str:
    """Sign in through the form; the session's form token."""
    async with http.get(f"{site.url}/console/login") as page:
        token = csrf_of(await page.text())
    async with http.post(
        f"{site.url}/console/login",
        data={"csrf": token, "email": email, "password": PASSWORD},
        headers={"Origin": site.url},
    ) as response:
        assert response.status == 200, await response.text()
        html = await response.text()
    assert "Sign out" in html
    return csrf_of(html)
