"""What a resident chose before consenting, for a short while: the consultation,
the language, and which flow version's consent question they were last asked.

Keyed by channel and pseudonymous hash; no text, nothing they wrote. It exists
so that their "oui" joins what they chose on whichever process takes it, and
consents only to a question they were shown; it expires soon after (`expires_at`,
given by the caller) and `purge_expired` deletes what has.

    note = await pre_consent.find(s, channel, user_hash, now=now)
    outside = await pre_consent.find_outside(s, channel, user_hash, receipt, now=now)
    await pre_consent.keep(s, channel, user_hash, PreConsent(...), expires_at=...)
    await pre_consent.forget(s, channel, user_hash)   # consent given or refused

A message read with no transaction begun (PostgreSQL: storage.message_open)
writes the note only if it is as that read found it (`keep`, `forget`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import (
    String,
    bindparam,
    delete,
    exists,
    literal,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from storage.as_read import newcomer_read
from storage.models import ErasureReceiptRow, PreConsentRow, table
from storage.prepared import Prepared
from storage.writes import rowcount


@dataclass(frozen=True, slots=True)
class PreConsent:
    consultation_id: str
    language: str | None
    asked_version_id: int | None  # the flow version whose consent was last asked
    asked_by: str | None = None  # a keyed hash of the message answered with it
    source: str | None = None  # the source tag of the link they came by


@dataclass(frozen=True, slots=True)
class Outside:
    """What is kept about someone not enrolled, as their message finds it."""

    note: PreConsent | None  # unless it has expired
    erased: bool  # an erasure receipt names this message: a retry of the one that erased them


_t, _receipts = table(PreConsentRow), table(ErasureReceiptRow)
_KEY = (_t.c.channel == bindparam("b_channel")) & (_t.c.user_hash == bindparam("b_user_hash"))
_LIVE = _t.c.expires_at > bindparam("b_now", type_=_t.c.expires_at.type)
# A note's columns, in the order of PreConsent's fields.
NOTE = (_t.c.consultation_id, _t.c.language, _t.c.asked_version_id, _t.c.asked_by, _t.c.source)
_FIND = Prepared(select(*NOTE).where(_KEY, _LIVE))
# What is read of someone not enrolled, here and by storage.message_open: the
# note of the resident b_channel, b_user_hash unless expired at b_now (joined
# to one row: there may be none), whether the receipt b_receipt was recorded.
NOTE_TABLE = _t
NOTE_FOUND = _KEY & _LIVE
ERASED = exists().where(_receipts.c.digest == bindparam("b_receipt")).label("erased")
# A note's row version (PostgreSQL's xmin, as text): read by a message with
# nothing begun, whose write of the note then names it (see `keep`).
note_version = literal_column(f"{_t.name}.xmin::text", String()).label("note_version")
_ONE_ROW = select(literal(1).label("one")).subquery("one_row")
_FIND_OUTSIDE = Prepared(select(ERASED, *NOTE).select_from(_ONE_ROW.outerjoin(_t, NOTE_FOUND)))
_KEY_COLUMNS = ("channel", "user_hash")
_COLUMNS = (
    *_KEY_COLUMNS,
    "consultation_id",
    "language",
    "asked_version_id",
    "asked_by",
    "expires_at",
    "source",
)
# Spelled as text: both backends accept it as is (see storage.writes).
_KEEP = Prepared(
    text(
        f"INSERT INTO {_t.name} ({', '.join(_COLUMNS)}) "
        f"VALUES ({', '.join(':' + name for name in _COLUMNS)}) "
        "ON CONFLICT (channel, user_hash) DO UPDATE SET "
        + ", ".join(f"{name} = excluded.{name}" for name in _COLUMNS[2:])
    ).bindparams(*(bindparam(name, type_=_t.c[name].type) for name in _COLUMNS)),
    # Held on PostgreSQL (storage.write_batch): read again by a later message only.
    deferrable=True,
    upserts=_t,
)
# Held on PostgreSQL (storage.write_batch): nothing of the note is read after.
_FORGET = Prepared(delete(_t).where(_KEY), deferrable=True)
# With nothing begun (PostgreSQL: storage.message_open read the note's version,
# or that there was none), the note is written only if it is as read: these
# return a row if so, and guard the statement they go in (storage.write_batch).
_AS_READ = note_version == bindparam("b_version", type_=String())
_KEEP_AS_READ = Prepared(update(_t).where(_KEY, _AS_READ).returning(_t.c.channel), deferrable=True)
# A first note: none, or only one expired by the time the message read
# (b_read_at), which is replaced (the expiry sweep purges them, later).
_inserted = postgresql.insert(_t)
_KEEP_FIRST = Prepared(
    _inserted.on_conflict_do_update(
        index_elements=[_t.c.channel, _t.c.user_hash],
        set_={name: _inserted.excluded[name] for name in _COLUMNS[2:]},
        where=_t.c.expires_at <= bindparam("b_read_at", type_=_t.c.expires_at.type),
    ).returning(_t.c.channel),
    deferrable=True,
    upserts=_t,
)
_FORGET_AS_READ = Prepared(
    delete(_t).where(_KEY, _AS_READ).returning(_t.c.channel), deferrable=True
)


async def find(
    session: AsyncSession, channel: str, user_hash: str, *, now: dt.datetime
) -> PreConsent | None:
    """The resident's note, unless it has expired."""
    values = {"b_channel": channel, "b_user_hash": user_hash, "b_now": now}
    row = (await _FIND.execute(session, values)).first()
    return None if row is None else PreConsent(*row)


async def find_outside(
    session: AsyncSession,
    channel: str,
    user_hash: str,
    receipt: str | None,
    *,
    now: dt.datetime,
) -> Outside:
    """`find`, and whether the erasure receipt `receipt` (None: the message
    has no id, so none can name it) was recorded, in one statement: both are
    read for every message of someone not enrolled."""
    values = {"b_channel": channel, "b_user_hash": user_hash, "b_now": now, "b_receipt": receipt}
    erased, *note = (await _FIND_OUTSIDE.execute(session, values)).one()
    return Outside(None if note[0] is None else PreConsent(*note), bool(erased))


async def keep(
    session: AsyncSession,
    channel: str,
    user_hash: str,
    note: PreConsent,
    *,
    expires_at: dt.datetime,
) -> None:
    """Write the note (replacing any earlier one) until `expires_at`. With
    nothing begun, only if it is as the message read it (none: none since, or
    only one expired then); else the statement it goes in fails
    (storage.write_batch)."""
    values = {
        "channel": channel,
        "user_hash": user_hash,
        "consultation_id": note.consultation_id,
        "language": note.language,
        "asked_version_id": note.asked_version_id,
        "asked_by": note.asked_by,
        "expires_at": expires_at,
        "source": note.source,
    }
    read = newcomer_read(session, channel, user_hash)
    if read is None:
        await _KEEP.write(session, values)
    elif read.note_version is None:  # no note was read: none may have come since
        await _KEEP_FIRST.write(session, {**values, "b_read_at": read.read_at}, guard=True)
    else:
        key = {"b_channel": channel, "b_user_hash": user_hash, "b_version": read.note_version}
        changed = {name: value for name, value in values.items() if name not in _KEY_COLUMNS}
        await _KEEP_AS_READ.write(session, {**key, **changed}, guard=True)


async def forget(session: AsyncSession, channel: str, user_hash: str) -> None:
    """Delete the note; with nothing begun, the one the message read (as `keep`)."""
    key = {"b_channel": channel, "b_user_hash": user_hash}
    read = newcomer_read(session, channel, user_hash)
    if read is not None and read.note_version is not None:  # only the note read
        await _FORGET_AS_READ.write(session, {**key, "b_version": read.note_version}, guard=True)
        return
    await _FORGET.write(session, key)


async def purge_expired(session: AsyncSession, *, now: dt.datetime) -> int:
    """Delete the notes that have expired; how many."""
    return rowcount(await session.execute(delete(_t).where(_t.c.expires_at <= now)))
