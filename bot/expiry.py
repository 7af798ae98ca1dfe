"""The expiry sweep: sessions left alone longer than the configured inactivity
(`sessions.expire_after_days`) are marked expired, for the figures; a returning
resident is offered to resume either way. Where the flow says
`partial_contributions: true`, their answers reach the consultation engine as
partial contributions. The sweep also deletes the expired notes of residents who
never consented (bot.before_consent).

Nothing a resident says triggers it: `consultbot serve` runs it periodically
(bot/app.py), through `ConversationService.expiry`, which shares the service's
flow catalog and contribution recorder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession

from bot.before_consent import BeforeConsent
from bot.contributions import ContributionRecorder
from bot.flow_catalog import DeployedFlow, FlowCatalog
from flows.state import SessionState
from storage import participants, sessions
from storage.database import Database
from storage.sessions import StoredSession


@dataclass(frozen=True, slots=True)
class SessionExpiry:
    """The sweep, built by the conversation service from what it shares with it."""

    database: Database
    catalog: FlowCatalog
    contributions: ContributionRecorder
    outside: BeforeConsent  # notes kept outside consent
    expire_after: dt.timedelta

    async def expire_inactive(self, now: dt.datetime) -> int:
        """Expire the sessions inactive since `expire_after` before `now`,
        recording partial contributions where the flow asks for them, and delete
        the expired notes before consent; how many sessions expired."""
        inactive_since = now - self.expire_after

        async def expire(session: AsyncSession) -> int:
            await self.outside.purge_expired(session, now)
            for stored in await sessions.inactive(session, inactive_since=inactive_since):
                deployed = await self.catalog.version(session, stored.flow_version_id)
                if deployed.flow.partial_contributions and stored.participant_id is not None:
                    await self._record_partial(session, deployed, stored, now)
            return await sessions.expire_inactive(session, inactive_since=inactive_since, now=now)

        return await self.catalog.within(self.database, expire)

    async def _record_partial(
        self, session: AsyncSession, deployed: DeployedFlow, stored: StoredSession, now: dt.datetime
    ) -> None:
        assert stored.participant_id is not None
        participant = await participants.get(session, stored.participant_id)
        state = SessionState.from_json(cast(dict[str, object], stored.state))
        await self.contributions.record(
            session,
            deployed,
            session_id=stored.id,
            participant_id=participant.id,
            user_hash=participant.user_hash,
            channel=participant.channel,
            language=state.language,
            partial=True,
            now=now,
        )
