"""What one message works on, read inside its transaction: the resident's
session (open, else their last completed or expired one), the flow version it
runs, its state, whether it expired, and, before consent, the note kept about
them. A deep link to another consultation leaves the open one; a link to a
consultation not open (an old poster's) is as no link: the open session goes
on, else the default consultation begins, and the resident is told
(`MessageContext.not_open`).

`bot.conversation` reads it first, then interprets and advances the engine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession

from bot.before_consent import BeforeConsent
from bot.channel_contract import InboundMessage
from bot.errors import ConfigError
from bot.flow_catalog import DeployedFlow, FlowCatalog
from flows.events import Event
from flows.state import SessionState
from nlu import CommandName
from storage import sessions
from storage.consultations import LiveLookup
from storage.models import SessionStatus
from storage.participants import Participant
from storage.pre_consent import Outside, PreConsent
from storage.sessions import StoredSession


@dataclass(frozen=True, slots=True)
class RasaVerdict:
    command: CommandName | None


@dataclass(slots=True)
class MessageContext:
    """What one message works on inside its transaction."""

    message: InboundMessage
    user_hash: str
    participant: Participant | None
    stored: StoredSession | None
    deployed: DeployedFlow
    state: SessionState | None
    expired: bool  # the session had expired: offer to resume before anything else
    rasa: RasaVerdict | None = None  # what a Rasa server made of the text, if asked
    event: Event | None = None  # an event given by the channel instead of the text
    before: PreConsent | None = None  # before consent: what they chose, what was asked
    new_participant: bool = False  # created by this message: no earlier sessions
    not_open: bool = False  # their link asked for a consultation not open: say so


@dataclass(frozen=True, slots=True)
class MessageContexts:
    """Reads a message's context; built by the conversation service, sharing its
    flow catalog and its notes kept before consent."""

    catalog: FlowCatalog
    outside: BeforeConsent
    default_consultation: str
    expire_after: dt.timedelta

    async def read(
        self,
        session: AsyncSession,
        message: InboundMessage,
        user_hash: str,
        participant: Participant | None,
        stored: StoredSession | None,  # their open session, locked when opened
        outside: Outside | None,  # what is kept about them, when they are not enrolled
        live: LiveLookup | None = None,  # not enrolled: a live version read ahead
    ) -> MessageContext:
        """The context of `message`; `stored`, `outside` and `live` are what
        opening the message found (bot.conversation locks the session as it
        opens it)."""
        if participant is not None and stored is None:
            latest = await sessions.latest(session, participant.id)
            if latest is not None and latest.status in (
                SessionStatus.COMPLETED,
                SessionStatus.EXPIRED,
            ):
                stored = latest
        wanted = message.consultation_id or None
        not_open = False
        if stored is not None:
            deployed = await self.catalog.version(session, stored.flow_version_id)
            deployed = self.catalog.dated(deployed, stored.dates)  # read with the session
            if message.is_start and wanted and wanted != deployed.consultation_id:
                if await self._live(session, wanted, live) is None:
                    # An old link: as a plain /start, their answers kept.
                    not_open = True
                else:
                    await self._leave(session, stored, message)
                    stored = None
        if stored is None:
            if outside is not None:
                before = outside.note
            else:
                before = await self.outside.find(session, message, user_hash)
            deployed = await self.flow_for(session, message, before, live)
            # Told on a start, or on a newcomer's first message (e.g. over REST,
            # which may send none); not again on each message that follows.
            told = message.is_start or before is None
            not_open = told and wanted is not None and deployed.consultation_id != wanted
            return MessageContext(
                message,
                user_hash,
                participant,
                None,
                deployed,
                None,
                False,
                before=before,
                not_open=not_open,
            )
        state = SessionState.from_json(cast(dict[str, object], stored.state))
        expired = stored.status == SessionStatus.EXPIRED or (
            stored.status != SessionStatus.COMPLETED
            and message.received_at - stored.last_activity_at > self.expire_after
        )
        return MessageContext(
            message, user_hash, participant, stored, deployed, state, expired, not_open=not_open
        )

    async def _leave(
        self, session: AsyncSession, stored: StoredSession, message: InboundMessage
    ) -> None:
        """A deep link to another open consultation: this one is left."""
        if stored.status in (SessionStatus.ACTIVE, SessionStatus.PAUSED):
            await sessions.save(
                session,
                stored.id,
                now=message.received_at,
                status=SessionStatus.ABANDONED,
                activity=False,
            )

    async def _live(
        self, session: AsyncSession, consultation_id: str, live: LiveLookup | None
    ) -> DeployedFlow | None:
        """The live flow of `consultation_id`, from `live` if it was read ahead."""
        if live is not None and live.consultation_id == consultation_id:
            return await self.catalog.live_of(session, live.found, dated=True)
        return await self.catalog.live(session, consultation_id, dated=True)

    async def flow_for(
        self,
        session: AsyncSession,
        message: InboundMessage,
        before: PreConsent | None,
        live: LiveLookup | None = None,
    ) -> DeployedFlow:
        """The live flow of the consultation asked for, else of the one they
        chose before consent, else of the default one: the first deployed.
        `live`: what was read ahead for one of them (storage.message_open)."""
        candidates = [
            message.consultation_id,
            before.consultation_id if before else None,
            self.default_consultation,
        ]
        for consultation_id in candidates:
            if consultation_id:
                deployed = await self._live(session, consultation_id, live)
                if deployed is not None:
                    return deployed
        raise ConfigError(
            f"no consultation {self.default_consultation!r} is deployed: deploy it "
            "with `consultbot flows deploy FILE` or set default_consultation"
        )
