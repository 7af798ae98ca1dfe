"""Processed inbound messages, for deduplication: a platform message id seen
before (per channel and participant hash) changes nothing and gets back the
replies that were sent the first time.

    claim = await inbound.claim(session, channel, user_hash, message_id, now=now)
    if not claim.is_new:
        return claim.replies            # a redelivery: same replies, nothing written
    ...                                  # handle the message
    await inbound.store_replies(session, claim.id, replies)

The claim is an INSERT ... ON CONFLICT DO NOTHING: when the same message is
handled twice at once, the second claim waits for the first transaction and,
once that commits, sees it as a duplicate; if that rolls back, the second
proceeds as new.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.columns import JsonValue
from storage.errors import NotFound
from storage.models import InboundRow, table
from storage.prepared import Prepared
from storage.writes import insert_if_new


@dataclass(frozen=True, slots=True)
class InboundClaim:
    # None: new, and not claimed yet: a message read with no transaction begun
    # (storage.message_open) is claimed with its replies (`claim_with_replies`).
    id: int | None
    is_new: bool  # False: this message was handled before
    replies: JsonValue | None  # what was replied then; None when new


_t = table(InboundRow)
_CLAIM = Prepared(
    insert_if_new(
        _t,
        ("channel", "user_hash", "message_id", "received_at"),
        ("channel", "user_hash", "message_id"),
        returning=["id"],
    )
)
_FIND = Prepared(
    select(_t.c.id, _t.c.replies).where(
        _t.c.channel == bindparam("b_channel"),
        _t.c.user_hash == bindparam("b_user_hash"),
        _t.c.message_id == bindparam("b_message_id"),
    )
)
_STORE_REPLIES = Prepared(update(_t).where(_t.c.id == bindparam("b_id")), deferrable=True)
# A plain INSERT: a concurrent claim of the same message makes it fail.
_CLAIM_WITH_REPLIES = Prepared(insert(_t), deferrable=True)


async def claim(
    session: AsyncSession,
    channel: str,
    user_hash: str,
    message_id: str,
    *,
    now: dt.datetime,
) -> InboundClaim:
    """Claim the message for handling in this transaction, or learn it was
    handled before and what was replied."""
    values = {
        "channel": channel,
        "user_hash": user_hash,
        "message_id": message_id,
        "received_at": now,
    }
    new_id = (await _CLAIM.execute(session, values)).scalar()
    if new_id is not None:
        return InboundClaim(id=new_id, is_new=True, replies=None)
    found = {"b_channel": channel, "b_user_hash": user_hash, "b_message_id": message_id}
    claim_id, replies = (await _FIND.execute(session, found)).one()
    return InboundClaim(id=claim_id, is_new=False, replies=replies)


async def store_replies(session: AsyncSession, claim_id: int, replies: JsonValue) -> None:
    """Keep the replies sent for a claimed message, for its redeliveries."""
    # Held on PostgreSQL (storage.write_batch), count unknown: the claim is this
    # transaction's own row.
    if await _STORE_REPLIES.write(session, {"b_id": claim_id, "replies": replies}) == 0:
        raise NotFound(f"no processed inbound message {claim_id}")


async def claim_with_replies(
    session: AsyncSession,
    channel: str,
    user_hash: str,
    message_id: str,
    replies: JsonValue,
    *,
    now: dt.datetime,
) -> None:
    """Claim the message and keep its replies at once: for a message found
    unclaimed with no transaction begun. Held on PostgreSQL (storage.write_batch);
    if another transaction claimed it meanwhile, the statement fails
    (Conflict) and nothing of it is written."""
    values = {
        "channel": channel,
        "user_hash": user_hash,
        "message_id": message_id,
        "received_at": now,
        "replies": replies,
    }
    await _CLAIM_WITH_REPLIES.write(session, values)
