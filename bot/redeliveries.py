"""A platform message handled once: its id claimed as it is handled, and the
replies sent kept with the claim, so that a redelivery of it (Telegram sends an
update again when its confirmation was lost; a web chat resends after a
reconnect) gets the same replies and changes nothing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channel_contract import InboundMessage
from bot.records import as_json, replies_from_json
from flows.replies import Reply
from storage import inbound
from storage.inbound import InboundClaim


async def claim(
    session: AsyncSession,
    message: InboundMessage,
    user_hash: str,
    claimed: InboundClaim | None = None,
) -> tuple[InboundClaim | None, list[Reply] | None]:
    """Mark this platform message as handled (`claimed`: already done, as the
    message was opened). (the claim, None) when it is new; (None, the replies
    sent the first time) when it was handled before; (None, None) when the
    platform gave no message id."""
    if message.message_id is None:
        return None, None
    found = claimed or await inbound.claim(
        session, message.channel, user_hash, message.message_id, now=message.received_at
    )
    if not found.is_new:
        return None, replies_from_json(found.replies)
    return found, None


async def keep_replies(
    session: AsyncSession,
    message: InboundMessage,
    user_hash: str,
    claimed: InboundClaim,
    replies: list[Reply],
) -> None:
    """The replies kept for redeliveries of the message, with its claim when it
    was not claimed yet (opened with no transaction begun)."""
    kept = as_json([reply.to_json() for reply in replies])
    if claimed.id is not None:
        await inbound.store_replies(session, claimed.id, kept)
    elif message.message_id is not None:
        await inbound.claim_with_replies(
            session,
            message.channel,
            user_hash,
            message.message_id,
            kept,
            now=message.received_at,
        )
