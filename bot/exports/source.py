"""A consultation's contributions, read a page at a time in commit order.

The same reading as the pull API's (`storage.contributions.page_rows`, then the
sessions' current answers through `bot.contributions.leaving`): only what
may leave is in them, free text only once approved and then redacted. Each page
is its own short read-only transaction (no write lock on SQLite: residents'
answers never wait for an export), so an export of any size holds no lock for
long and keeps no more than a page in memory. Rows stay plain tuples: an export
makes hundreds of thousands, and an object per row and per answer cost more
than writing them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.contributions import Leaving, leaving
from bot.errors import UserError
from bot.flow_catalog import DeployedFlow, FlowCatalog
from flows.model import Question
from storage import consultations, contributions
from storage.commit_order import START, Position
from storage.contributions import AnswerTuple, ContributionTuple, position_of
from storage.database import Database

PAGE = 1000
# A contribution (as `storage.contributions.page_rows` gives it), what of its
# answers may leave, and the flow version it was given on.
Exported = tuple[ContributionTuple, list[Leaving], DeployedFlow]


class ExportError(UserError):
    """An export that cannot be made as asked; str() says what to do."""


@dataclass(frozen=True, slots=True)
class ExportedConsultation:
    """The consultation being exported: its live flow and every version its
    contributions were given on."""

    live: DeployedFlow
    versions: dict[int, DeployedFlow]  # by version number

    @property
    def main_language(self) -> str:
        return self.live.flow.languages[0]

    def questions(self) -> list[Question]:
        """Every question any version asked: the live flow's in order, then
        those only older versions had."""
        seen: dict[str, Question] = {q.id: q for q in self.live.flow.questions}
        for version in sorted(self.versions, reverse=True):
            for question in self.versions[version].flow.questions:
                seen.setdefault(question.id, question)
        return list(seen.values())


class ContributionSource:
    def __init__(self, database: Database, *, page: int = PAGE) -> None:
        self._database = database
        self._catalog = FlowCatalog()
        self._page = page

    async def open(self, consultation_id: str, since: dt.datetime | None) -> ExportedConsultation:
        """The consultation; ExportError if there is none of that id."""

        async def read(session: AsyncSession) -> ExportedConsultation | None:
            live = await self._catalog.live(session, consultation_id)
            if live is None:
                return None
            used = await contributions.versions_of(session, consultation_id, since=since)
            versions = {live.version: live}
            for version_id in used:
                deployed = await self._catalog.version(session, version_id)
                versions[deployed.version] = deployed
            return ExportedConsultation(live, versions)

        found = await self._catalog.within(self._database, read, read_only=True)
        if found is None:
            async with self._database.transaction() as session:
                known = [v.consultation_id for v in await consultations.live_versions(session)]
            raise ExportError(
                f"there is no consultation {consultation_id!r}; "
                + (f"deployed: {', '.join(known)}" if known else "none is deployed yet")
            )
        return found

    async def pages(
        self, consultation: ExportedConsultation, since: dt.datetime | None
    ) -> AsyncIterator[list[Exported]]:
        """The contributions, oldest commit first, a page at a time."""
        position: Position = START
        consultation_id = consultation.live.consultation_id
        by_id = {flow.version_id: flow for flow in consultation.versions.values()}
        while True:

            async def read(
                session: AsyncSession, after: Position = position
            ) -> tuple[list[ContributionTuple], dict[int, list[AnswerTuple]]]:
                rows = await contributions.page_rows(
                    session, consultation_id, after_position=after, limit=self._page, since=since
                )
                answers = await contributions.answer_rows(session, [row[1] for row in rows])
                for row in rows:
                    if row[3] not in by_id:  # a version deployed since the export began
                        flow = await self._catalog.version(session, row[3])
                        by_id[flow.version_id] = flow
                return rows, answers

            rows, by_session = await self._catalog.within(self._database, read, read_only=True)
            page: list[Exported] = []
            for row in rows:
                deployed = by_id[row[3]]
                page.append((row, leaving(deployed.flow, by_session[row[1]]), deployed))
            if page:
                yield page
            if len(rows) < self._page:
                return
            position = position_of(rows[-1])
