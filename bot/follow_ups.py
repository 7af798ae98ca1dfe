"""Closing the loop: organizers tell the residents who asked for it what became
of a consultation.

    follow_ups = FollowUps(database, team_messages)
    follow_up, asking = await follow_ups.create("mobilite", {"fr": "...", "en": "..."},
                                                author="cli:alice", now=now)
    copies = await follow_ups.release(follow_up.id, actor="cli:alice", now=now)
    progress = await follow_ups.send(follow_up.id, now=clock, pace=Pace())

`create` checks the texts against the consultation's live flow (one text per
language of the flow, none empty, none too long for one message), stores the
follow-up as a draft, which no resident sees, and audits it. `release` (an
organizer's "send now", audited) queues a copy for every resident who asked
for follow-ups and has none yet (each a team message in their latest
conversation, in their language): from then on a resident who writes or opens
the web chat sees it. `send` then hands the copies to the residents'
channels, at most `Pace.per_second` a second, below Telegram's limit for a bot
(about 30 messages a second overall, and each resident gets one message):
Telegram residents at once, an open web chat at once, anyone else with their
next message. Telegram's 429 answers are waited out (`retry_after`); a
resident who blocked the bot is marked unreachable and skipped.

Never twice: a copy is claimed (marked delivered) before it is sent, by an
UPDATE that only one process can win, so a second `send`, a resident writing
meanwhile, or a restart after a crash never shows it again. The price: a copy
in flight when the process was killed counts as delivered without having
reached Telegram (at most one per sending process).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from bot.errors import UserError
from bot.team_messages import MAX_TEXT_CHARS, Outcome, TeamMessages
from flows.loader import parse_flow
from storage import audit, consultations, follow_ups
from storage.database import Database
from storage.follow_ups import FollowUp, Progress

AUDIT_CREATE: Final = "follow_up.create"
AUDIT_SEND: Final = "follow_up.send"
MAX_AUTHOR_CHARS: Final = 128
# Channels a copy can be handed to without the resident writing first.
_PUSHED = frozenset({"telegram", "web"})


class FollowUpError(UserError):
    """A follow-up that cannot be made as asked; nothing was stored."""


@dataclass
class Pace:
    """At most `per_second` sends a second, spread evenly."""

    per_second: float = 25.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _next: float = field(default=0.0, init=False)

    async def wait(self) -> None:
        now = self.clock()
        start = max(now, self._next)
        self._next = start + 1 / self.per_second
        if start > now:
            await self.sleep(start - now)


class FollowUps:
    def __init__(self, database: Database, team: TeamMessages) -> None:
        self._db = database
        self._team = team

    async def create(
        self, consultation_id: str, texts: Mapping[str, str], author: str, now: dt.datetime
    ) -> tuple[FollowUp, int]:
        """The follow-up, a draft no resident sees until `release`, and how
        many residents ask for the consultation's follow-ups now."""
        author = author.strip()
        if not author or len(author) > MAX_AUTHOR_CHARS:
            raise FollowUpError(f"the author must be 1 to {MAX_AUTHOR_CHARS} characters")
        checked = checked_texts(texts, await self._languages(consultation_id))
        async with self._db.transaction() as session:
            follow_up = await follow_ups.create(session, consultation_id, checked, author, now=now)
            asking = await follow_ups.followers(session, consultation_id)
            await audit.record(
                session,
                AUDIT_CREATE,
                {"residents_asking": asking},
                now=now,
                actor=author,
                subject=f"follow_up:{follow_up.id}",
                details={"consultation": consultation_id},
            )
        return follow_up, asking

    async def release(self, follow_up_id: int, actor: str, now: dt.datetime) -> int:
        """Queue the follow-up's copies for the residents who asked and have none
        yet, audited in the same transaction (what `serve` resumes at start);
        how many copies. Releasing again reaches only those who asked since."""
        async with self._db.read() as session:
            found = await follow_ups.get(session, follow_up_id)
        if found is None:
            raise FollowUpError(
                f"there is no follow-up {follow_up_id}: see `consultbot followups list`"
            )
        languages = await self._languages(found.consultation_id)
        async with self._db.transaction() as session:
            copies = await follow_ups.release(session, follow_up_id, languages[0], now=now)
            if copies is None:  # read a moment ago: only a rolled back deployment removes one
                raise FollowUpError(f"there is no follow-up {follow_up_id}")
            await audit.record(
                session,
                AUDIT_SEND,
                {"team_messages": copies},
                now=now,
                actor=actor,
                subject=f"follow_up:{follow_up_id}",
                details={"consultation": found.consultation_id},
            )
        return copies

    async def _languages(self, consultation_id: str) -> tuple[str, ...]:
        """The languages of the consultation's live flow, its main one first."""
        async with self._db.read() as session:
            version = await consultations.live_version(session, consultation_id)
        if version is None:
            raise FollowUpError(
                f"there is no consultation {consultation_id!r} deployed: "
                "see `consultbot flows list`"
            )
        # Read with no transaction open: a large flow takes a while (bot.flow_catalog).
        flow = await asyncio.to_thread(parse_flow, version.definition, consultation_id)
        return flow.languages or ("fr",)

    async def send(
        self,
        follow_up_id: int,
        *,
        now: Callable[[], dt.datetime],
        pace: Pace,
        on_progress: Callable[[int], None] | None = None,
    ) -> Progress:
        """Hand every waiting copy that can be pushed to its resident (those
        `release` queued); where the follow-up stands then. `on_progress`:
        called with each copy handled."""
        async with self._db.transaction() as session:
            if await follow_ups.get(session, follow_up_id) is None:
                raise FollowUpError(
                    f"there is no follow-up {follow_up_id}: see `consultbot followups list`"
                )
        after = 0
        while True:
            async with self._db.transaction() as session:
                copies = await follow_ups.waiting_copies(session, follow_up_id, after=after)
            if not copies:
                break
            for copy in copies:
                after = copy.message_id
                if copy.channel not in _PUSHED:
                    continue  # goes out with the resident's next message
                await pace.wait()
                outcome = await self._team.deliver(copy.message_id, now())
                if on_progress is not None and outcome is not Outcome.ERASED:
                    on_progress(copy.message_id)
        return await self.progress(follow_up_id)

    async def progress(self, follow_up_id: int) -> Progress:
        async with self._db.transaction() as session:
            return await follow_ups.progress(session, follow_up_id)


def checked_texts(texts: Mapping[str, str], languages: tuple[str, ...]) -> dict[str, str]:
    """One non-empty text per language of the flow, each fitting one message."""
    unknown = sorted(set(texts) - set(languages))
    if unknown:
        raise FollowUpError(
            f"the consultation is in {', '.join(languages)}: there is no language "
            f"{', '.join(unknown)} to write in"
        )
    checked = {}
    for language in languages:
        text = texts.get(language, "").strip()
        if not text:
            raise FollowUpError(
                f"the follow-up has no text in {language!r}: every resident must be able "
                f"to read it; give one per language ({', '.join(languages)})"
            )
        if len(text) > MAX_TEXT_CHARS:
            raise FollowUpError(
                f"the {language!r} text has {len(text)} characters; at most "
                f"{MAX_TEXT_CHARS} fit in one message"
            )
        checked[language] = text
    return checked
