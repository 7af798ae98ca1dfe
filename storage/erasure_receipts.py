"""Receipts of erasures: a keyed hash of the message that erased a resident's
data (computed by the application from channel, user hash and message id) and
when, nothing else. A retry of that message finds its receipt and is answered
as the first time, instead of starting a conversation with nobody's consent.
Receipts are purged with the retention period (storage.retention).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ErasureReceiptRow, table
from storage.prepared import Prepared
from storage.writes import insert_if_new

_t = table(ErasureReceiptRow)
_RECORD = Prepared(insert_if_new(_t, ("digest", "created_at"), ("digest",)))
_FIND = Prepared(select(_t.c.digest).where(_t.c.digest == bindparam("b_digest")))


async def record(session: AsyncSession, digest: str, *, now: dt.datetime) -> None:
    await _RECORD.execute(session, {"digest": digest, "created_at": now})


async def exists(session: AsyncSession, digest: str) -> bool:
    return (await _FIND.execute(session, {"b_digest": digest})).first() is not None
