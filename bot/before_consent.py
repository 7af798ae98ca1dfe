"""What the conversation service keeps about a resident outside consent: before
it, and after an erasure. Nothing of what they wrote, only keyed hashes.

Before consent, a short-lived note keyed by the pseudonymous hash
(storage.pre_consent) says which consultation and language they chose and which
flow version's consent question the replies to their last message asked (with a
keyed hash of that message's id): their "oui" consents only to that question,
on whichever process takes it, and a retry of the asking message (whose replies
they may never have seen) is no answer to it. A refusal leaves nothing behind.

After an erasure, a receipt (storage.erasure_receipts: a keyed hash of channel,
user hash and message id) lets a retry of the erasing message get the same
reply instead of starting a conversation nobody consented to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channel_contract import InboundMessage
from bot.pseudonyms import Pseudonymizer
from flows.effects import ConsentAsked, ConsentRefused, Effect
from storage import erasure_receipts, openings, pre_consent
from storage.pre_consent import PreConsent

# The region's days: an opening counts on the day it is where residents live.
REGION_TIMEZONE = ZoneInfo("Europe/Paris")

# How long what a resident chose before consenting is kept.
PRE_CONSENT_KEPT = dt.timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Chosen:
    """What the resident is looking at before consent, after this message."""

    consultation_id: str
    version_id: int
    language: str | None
    source: str | None = None  # the source tag of the link they came by


class BeforeConsent:
    def __init__(self, pseudonyms: Pseudonymizer) -> None:
        self._pseudonyms = pseudonyms

    async def find(
        self, session: AsyncSession, message: InboundMessage, user_hash: str
    ) -> PreConsent | None:
        return await pre_consent.find(session, message.channel, user_hash, now=message.received_at)

    def asked(
        self, before: PreConsent | None, version_id: int, message: InboundMessage, user_hash: str
    ) -> bool:
        """Whether the replies to their previous message asked this flow
        version's consent question, and this message is not a retry of that one."""
        if before is None or before.asked_version_id != version_id:
            return False
        digest = self._digest(message, user_hash)
        return digest is None or before.asked_by != digest

    async def note(
        self,
        session: AsyncSession,
        message: InboundMessage,
        user_hash: str,
        chosen: Chosen,
        effects: Sequence[Effect],
        before: PreConsent | None,
    ) -> None:
        """Note what they chose and whether these replies ask the consent
        question; a resident with no note yet opens the consultation (counted,
        `storage.openings`)."""
        if before is None or before.consultation_id != chosen.consultation_id:
            day = message.received_at.astimezone(REGION_TIMEZONE).date()
            source = chosen.source or (before.source if before else None)
            await openings.count(
                session,
                chosen.consultation_id,
                message.channel,
                source,
                day=day,
                user_hash=user_hash,
            )
        if any(isinstance(effect, ConsentRefused) for effect in effects):
            if before is not None:
                await pre_consent.forget(session, message.channel, user_hash)
            return
        asked = any(isinstance(effect, ConsentAsked) for effect in effects)
        note = PreConsent(
            chosen.consultation_id,
            chosen.language,
            chosen.version_id if asked else None,
            self._digest(message, user_hash) if asked else None,
            chosen.source or (before.source if before else None),
        )
        expires_at = message.received_at + PRE_CONSENT_KEPT
        await pre_consent.keep(session, message.channel, user_hash, note, expires_at=expires_at)

    async def forget(self, session: AsyncSession, message: InboundMessage, user_hash: str) -> None:
        """They consented: the note is no longer needed."""
        await pre_consent.forget(session, message.channel, user_hash)

    async def purge_expired(self, session: AsyncSession, now: dt.datetime) -> int:
        return await pre_consent.purge_expired(session, now=now)

    def receipt(self, message: InboundMessage, user_hash: str) -> str | None:
        """The erasure receipt that names this message, were it to erase their
        data (None: the message has no id): with it, opening the message says
        whether it is a retry of one that did (storage.message_open)."""
        if message.message_id is None:
            return None
        return self._pseudonyms.erasure_receipt(message.channel, user_hash, message.message_id)

    async def record_erasure(
        self, session: AsyncSession, message: InboundMessage, user_hash: str
    ) -> None:
        receipt = self.receipt(message, user_hash)
        if receipt is not None:
            await erasure_receipts.record(session, receipt, now=message.received_at)

    def _digest(self, message: InboundMessage, user_hash: str) -> str | None:
        if message.message_id is None:
            return None
        return self._pseudonyms.message_digest(message.channel, user_hash, message.message_id)
