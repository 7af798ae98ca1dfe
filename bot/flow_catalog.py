"""Deployed flows, parsed once per version.

A flow version never changes once deployed (a new deployment is a new version),
so a parsed `Flow` can be kept for the life of the process, keyed by version id.
Sessions stay on the version they started with; new sessions take the live one.

Reading a flow takes time (the largest valid flow: seconds of pure-Python YAML),
so it is never done inside a transaction, which on SQLite holds the database's
write lock, nor on the event loop: `within` runs a unit of work, and when that
work needs a flow not read yet (`FlowNotParsed`), reads it in a thread with no
transaction open, then runs the work again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from flows.loader import parse_flow
from flows.model import Flow
from storage import consultations
from storage.consultations import Dates, FlowVersion
from storage.database import Database

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class DeployedFlow:
    version_id: int
    consultation_id: str
    version: int
    flow: Flow


class FlowNotParsed(Exception):
    """A deployed flow version is needed that this process has not read yet."""

    def __init__(self, version: FlowVersion) -> None:
        super().__init__(f"{version.consultation_id} v{version.version} is not read yet")
        self.version = version


class FlowCatalog:
    def __init__(self) -> None:
        self._parsed: dict[int, DeployedFlow] = {}
        self._redated: dict[int, DeployedFlow] = {}  # with the console's dates
        # One read per version however many residents need it at once: fifty
        # threads parsing the same file would starve the event loop of the GIL.
        self._reading: dict[int, asyncio.Task[DeployedFlow]] = {}

    async def within(
        self,
        database: Database,
        work: Callable[[AsyncSession], Awaitable[T]],
        *,
        read_only: bool = False,
        optimistic: bool = False,
    ) -> T:
        """`work` in one transaction (`read_only`: a `Database.read()`;
        `optimistic`: see `Database.transaction`), with every flow it needs
        already read."""
        while True:
            unit = database.read() if read_only else database.transaction(optimistic=optimistic)
            try:
                async with unit as session:
                    return await work(session)
            except FlowNotParsed as missing:  # rolled back: nothing was written
                await self.read(missing.version)

    async def live(
        self, session: AsyncSession, consultation_id: str, *, dated: bool = False
    ) -> DeployedFlow | None:
        """The live version of a consultation; `dated`: held to the dates set in
        the console, if any (read with the version, in one statement)."""
        found = await consultations.live_id_and_dates(session, consultation_id)
        return await self.live_of(session, found, dated=dated)

    async def live_of(
        self,
        session: AsyncSession,
        found: tuple[int, Dates | None] | None,
        *,
        dated: bool = False,
    ) -> DeployedFlow | None:
        """`live`, from what `consultations.live_id_and_dates` found."""
        if found is None:
            return None
        version_id, dates = found
        deployed = await self.version(session, version_id)
        return self.dated(deployed, dates) if dated else deployed

    async def version(
        self, session: AsyncSession, version_id: int, *, dated: bool = False
    ) -> DeployedFlow:
        """A deployed flow version; `dated`: with the opening and closing dates
        set in the console since it was deployed, if any (what residents are
        held to; one more primary-key read)."""
        cached = self._parsed.get(version_id)
        if cached is None:
            raise FlowNotParsed(await consultations.get_version(session, version_id))
        if not dated:
            return cached
        return self.dated(cached, await consultations.dates_of(session, cached.consultation_id))

    def dated(self, deployed: DeployedFlow, dates: Dates | None) -> DeployedFlow:
        """`deployed` with the dates set in the console (None: its file's)."""
        if dates is None:
            return deployed
        # One object per version and dates: what is keyed by flow stays valid.
        redated = self._redated.get(deployed.version_id)
        if redated is None or (redated.flow.opens, redated.flow.closes) != (
            dates.opens,
            dates.closes,
        ):
            flow = replace(deployed.flow, opens=dates.opens, closes=dates.closes)
            redated = self._redated[deployed.version_id] = replace(deployed, flow=flow)
        return redated

    async def read(self, version: FlowVersion) -> DeployedFlow:
        """Read a flow version (in a thread: it must not stop other residents'
        replies) and keep it. Callers asking at once share one read."""
        cached = self._parsed.get(version.id)
        if cached is not None:
            return cached
        reading = self._reading.get(version.id)
        if reading is None:
            reading = asyncio.ensure_future(self._read(version))
            self._reading[version.id] = reading
            reading.add_done_callback(lambda _: self._reading.pop(version.id, None))
        # shield: one caller giving up (a client gone) must not cancel the others' read.
        return await asyncio.shield(reading)

    async def _read(self, version: FlowVersion) -> DeployedFlow:
        source = f"{version.consultation_id} v{version.version}"
        flow = await asyncio.to_thread(parse_flow, version.definition, source)
        return self._parsed.setdefault(
            version.id, DeployedFlow(version.id, version.consultation_id, version.version, flow)
        )
