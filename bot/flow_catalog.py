"""Deployed flows, parsed once per version.

A flow version never changes once deployed (a new deployment is a new version),
so a parsed `Flow` can be kept for the life of the process, keyed by version id.
Sessions stay on the version they started with; new sessions take the live one.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from flows.loader import parse_flow
from flows.model import Flow
from storage import consultations
from storage.consultations import FlowVersion


@dataclass(frozen=True, slots=True)
class DeployedFlow:
    version_id: int
    consultation_id: str
    version: int
    flow: Flow


class FlowCatalog:
    def __init__(self) -> None:
        self._parsed: dict[int, DeployedFlow] = {}

    async def live(self, session: AsyncSession, consultation_id: str) -> DeployedFlow | None:
        version_id = await consultations.live_version_id(session, consultation_id)
        return None if version_id is None else await self.version(session, version_id)

    async def version(self, session: AsyncSession, version_id: int) -> DeployedFlow:
        cached = self._parsed.get(version_id)
        if cached is not None:
            return cached
        return await self._deployed(await consultations.get_version(session, version_id))

    async def _deployed(self, version: FlowVersion) -> DeployedFlow:
        cached = self._parsed.get(version.id)
        if cached is None:
            source = f"{version.consultation_id} v{version.version}"
            # In a thread: the largest flow takes seconds to read (pure-Python
            # YAML), which must not stop every other resident's replies.
            flow = await asyncio.to_thread(parse_flow, version.definition, source)
            cached = self._parsed.setdefault(
                version.id,
                DeployedFlow(version.id, version.consultation_id, version.version, flow),
            )
        return cached
