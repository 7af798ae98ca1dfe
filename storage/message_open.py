"""What a resident's message reads and locks first, in its transaction: the
participant (locked: one resident's messages one after the other, across
processes) and whether the team has messages waiting for them; the platform
message id claimed (dedupe: a redelivery gets the replies of the first time);
the open session (locked), with the dates set in the console for its
consultation.

    opened = await message_open.open_message(s, channel, user_hash, message_id, now=now)
    if opened.claim is not None and not opened.claim.is_new:
        return opened.claim.replies                  # a redelivery
    ... opened.participant, opened.team_waiting, opened.session
    ... opened.outside, opened.live       # someone not enrolled: their note, ...

One contract for both databases; only how it runs differs. On PostgreSQL every
statement is a round trip (asyncpg waits for each answer): the steps run in the
function `consultbot_open_message` (migrations 0017 and 0018), one round trip,
in the order and with the locks the statements of participants, inbound and
sessions take one by one, which is how SQLite runs them (no round trips there).
Someone not enrolled has no row to lock: on PostgreSQL the function locks their
pseudonym instead (an advisory lock until the transaction ends: two processes
taking a newcomer's first messages at once take turns) and looks for them
again, the other transaction may have enrolled them; if they are still not
enrolled, it reads what is kept about them outside consent (storage.pre_consent:
their note, and whether the erasure receipt given names the message), as
`pre_consent.find_outside` does, and the live version of the consultation they
look at first (the one `wanted`, else their note's, else the `default`), as
`consultations.live_id_and_dates` does (migration 0022); SQLite's transactions never
overlap, so there the participant and their open session are read in one
statement (nothing to lock), then the message id claimed. Nothing is claimed
for someone not enrolled, nor is the session locked for a redelivery.

With no transaction begun (`Database.transaction(optimistic=True)`, PostgreSQL),
the same is first read in one statement that locks and claims nothing. When it
finds the common case (someone enrolled, their open session, the message id
not claimed, no team message waiting), no transaction is begun: the message's
writes go in one statement of their own, which fails if the session changed
meanwhile, and claims the message id with its replies (storage.write_batch,
`inbound.claim_with_replies`); so a resident's answer is 2 round trips. A
redelivery found so gets its replies with nothing begun. The same statement
reads someone not enrolled as the function does (nothing locked), with their
note's row version, and, if the consent question was asked, a participant id
and a session id reserved from their sequences: their note is then written,
or forgotten as they consent, only if it is as read (storage.pre_consent), and
that write guards the statement as the session's UPDATE does; the participant
and first session are inserted with the ids reserved, in the same statement
(storage.participants, storage.sessions). So a newcomer's messages are 2 round
trips too. Anything else (no open session, team messages waiting, a claim being
handled) begins the transaction and runs the function, as above.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    String,
    and_,
    bindparam,
    case,
    column,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage import consultations, inbound, participants, pre_consent, sessions
from storage.columns import BigId, Json, UtcDateTime
from storage.consultations import CONSOLE_DATES, LiveLookup, console_dates, with_console_dates
from storage.errors import NotFound
from storage.inbound import InboundClaim
from storage.models import OPEN_STATUSES, InboundRow, ParticipantRow, SessionRow, table
from storage.participants import WAITING, Participant
from storage.pre_consent import NOTE, Outside, PreConsent
from storage.prepared import BATCH, POSTGRESQL_DIALECT, SQLITE_CONNECTION, Prepared
from storage.sessions import StoredSession, session_of
from storage.write_batch import Batch, Newcomer


@dataclass(frozen=True, slots=True)
class OpenedMessage:
    participant: Participant | None  # None: not enrolled (nothing else is read)
    team_waiting: bool  # the team wrote them messages not delivered yet
    # None without a participant or a platform message id; not `is_new`: a
    # redelivery (then no session is read).
    claim: InboundClaim | None
    session: StoredSession | None  # their open session, locked
    # Not enrolled: what is kept about them outside consent (their note from
    # before consent, whether the message's erasure receipt names it); None
    # for someone enrolled.
    outside: Outside | None = None
    # Not enrolled: the live version of the consultation they look at first
    # (None: none to look at; see open_message).
    live: LiveLookup | None = None


_p, _s = table(ParticipantRow), table(SessionRow)
# In the order of Participant's and StoredSession's fields.
_PARTICIPANT = [c.name for c in participants.COLUMNS]
_SESSION = [c.name for c in sessions.COLUMNS]
# The function's outputs, typed as the columns they come from, so that what is
# read back is what the repositories' own statements read.
_OUTPUTS = (
    *(column(f"o_participant_{name}", _p.c[name].type) for name in _PARTICIPANT),
    column("o_team_waiting", Boolean()),
    column("o_claim_id", BigId),
    column("o_claim_new", Boolean()),
    column("o_claim_replies", Json),
    *(column(f"o_session_{name}", _s.c[name].type) for name in _SESSION),
    *(column(f"o_{date.name}", date.type) for date in CONSOLE_DATES),
    column("o_erased", Boolean()),
    *(column(f"o_note_{note.name}", note.type) for note in NOTE),
    column("o_live_consultation_id", String()),
    column("o_live_version_id", BigId),
    *(column(f"o_live_{date.name}", date.type) for date in CONSOLE_DATES),
)
_OPEN = Prepared(
    select(
        *func.consultbot_open_message(
            bindparam("b_channel", type_=String()),
            bindparam("b_user_hash", type_=String()),
            bindparam("b_message_id", type_=String()),
            bindparam("b_now", type_=UtcDateTime()),
            bindparam("b_receipt", type_=String()),
            bindparam("b_wanted", type_=String()),
            bindparam("b_default", type_=String()),
        )
        .table_valued(*_OUTPUTS, name="opened")
        .c
    ),
    writes=True,  # it locks and claims
)
# The participant, their open session and its console dates, joined flat (a
# nested join of sessions made SQLite read every session).
_WITH_OPEN_SESSION = with_console_dates(
    _p.outerjoin(
        _s,
        and_(
            _s.c.participant_id == _p.c.id,
            or_(*(_s.c.status == status.value for status in OPEN_STATUSES)),
        ),
    ),
    _s.c.flow_version_id,
    outer=True,
)
_RESIDENT = and_(_p.c.channel == bindparam("b_channel"), _p.c.user_hash == bindparam("b_user_hash"))
# SQLite: those, and whether messages wait.
_SQLITE_OPEN = Prepared(
    select(*participants.COLUMNS, WAITING, *sessions.COLUMNS, *CONSOLE_DATES)
    .select_from(_WITH_OPEN_SESSION)
    .where(_RESIDENT)
)
# PostgreSQL with no transaction begun: the same, locking and claiming nothing,
# with the session's row version and the claim of the message id, if any; for
# someone not enrolled, what the function reads of them (their note, with its
# row version, whether the receipt names the message, the live version they
# look at first) and, if the consent question was asked, ids reserved should
# they consent now. That part is a lateral subquery whose condition names only
# the participant found: PostgreSQL runs it only when none was (a gating
# one-time filter), so an enrolled resident's message reads nothing more.
_i, _note = table(InboundRow), pre_consent.NOTE_TABLE
_looked_at = func.coalesce(
    bindparam("b_wanted", type_=String()),
    _note.c.consultation_id,
    bindparam("b_default", type_=String()),
)
_live = consultations.live_of(_looked_at).lateral("live")
_asked = _note.c.asked_version_id.is_not(None)
_NEWCOMER = (
    select(
        pre_consent.ERASED,
        *NOTE,
        _looked_at.label("looked_at"),
        *_live.c,
        pre_consent.note_version,
        *(
            case((_asked, literal_column(f"nextval('{name}_id_seq')", BigId)))
            for name in (_p.name, _s.name)
        ),
    )
    .select_from(
        select(literal_column("1").label("one"))
        .subquery("newcomer_row")
        .outerjoin(_note, pre_consent.NOTE_FOUND)
        .outerjoin(_live, true())
    )
    .where(_p.c.id.is_(None))
    .lateral("newcomer")
)
_ENROLLED = (
    *participants.COLUMNS,
    WAITING,
    *sessions.COLUMNS,
    *CONSOLE_DATES,
    sessions.row_version,
    _i.c.id,
    _i.c.replies,
)
_PEEK = Prepared(
    select(*_ENROLLED, *_NEWCOMER.c).select_from(
        select(literal_column("1").label("one"))
        .subquery("message_row")
        .outerjoin(
            _WITH_OPEN_SESSION.outerjoin(
                _i,
                and_(
                    _i.c.channel == _p.c.channel,
                    _i.c.user_hash == _p.c.user_hash,
                    _i.c.message_id == bindparam("b_message_id", type_=String()),
                ),
            ),
            _RESIDENT,
        )
        .outerjoin(_NEWCOMER, true())
    )
)
_TEAM = len(_PARTICIPANT)
_CLAIM = _TEAM + 1
_SESSION_AT = _CLAIM + 3
_NOT_ENROLLED = 1 + len(NOTE) + 2 + len(CONSOLE_DATES)  # the columns _not_enrolled reads
_OUTSIDE_AT = len(_OUTPUTS) - _NOT_ENROLLED  # the function's last ones
_NEWCOMER_AT = len(_ENROLLED)  # where the peek's part for someone not enrolled begins


async def open_message(
    session: AsyncSession,
    channel: str,
    user_hash: str,
    message_id: str | None,
    *,
    now: dt.datetime,
    receipt: str | None = None,
    wanted: str | None = None,
    default: str | None = None,
) -> OpenedMessage:
    """Lock the participant, claim `message_id` (None: the platform gave none,
    nothing to dedupe), lock their open session: see the module's docstring.
    For someone not enrolled: `receipt`, the erasure receipt that would name
    this message (`pre_consent.find_outside`); the live version read is that
    of the consultation `wanted` (a deep link's), else their note's, else
    `default`."""
    # Set by Database for a PostgreSQL session; any other session (none on the
    # message path) runs the statements one by one, which PostgreSQL runs too.
    if POSTGRESQL_DIALECT in session.info:
        batch = session.info.get(BATCH)
        values = {
            "b_channel": channel,
            "b_user_hash": user_hash,
            "b_now": now,
            "b_receipt": receipt,
            "b_wanted": wanted,
            "b_default": default,
        }
        if batch is not None and not batch.begun:
            peeked = await _peek(session, batch, values, message_id)
            if peeked is not None:
                return peeked
            await batch.begin()
        return _opened((await _OPEN.execute(session, {**values, "b_message_id": message_id})).one())
    if SQLITE_CONNECTION in session.info:
        nobody = _Nobody(receipt, wanted, default)
        return await _open_on_sqlite(session, channel, user_hash, message_id, now, nobody)
    participant, waiting = await participants.find_for_message(session, channel, user_hash)
    if participant is None:
        return await _nobody(session, channel, user_hash, now, _Nobody(receipt, wanted, default))
    claim = await _claim(session, channel, user_hash, message_id, now)
    if claim is not None and not claim.is_new:
        return OpenedMessage(participant, waiting, claim, None)
    stored = await sessions.find_open(session, participant.id, lock=True)
    return OpenedMessage(participant, waiting, claim, stored)


def _opened(row: tuple[Any, ...]) -> OpenedMessage:
    if row[0] is None:
        return _not_enrolled(row[_OUTSIDE_AT:])
    participant = Participant(*row[:_TEAM])
    claim_id, claim_new, replies = row[_CLAIM : _CLAIM + 3]
    claim = None
    if claim_new is not None:
        if claim_id is None:  # claimed by a transaction that is gone since
            raise NotFound("the claim of a redelivered message vanished: send it again")
        claim = InboundClaim(id=claim_id, is_new=claim_new, replies=replies)
    stored = None if row[_SESSION_AT] is None else session_of(row[_SESSION_AT:_OUTSIDE_AT])
    return OpenedMessage(participant, bool(row[_TEAM]), claim, stored)


async def _peek(
    session: AsyncSession, batch: Batch, values: dict[str, Any], message_id: str | None
) -> OpenedMessage | None:
    """The message opened with nothing begun, or None when it needs the
    transaction (see the module's docstring). `values`: open_message's."""
    row = (await _PEEK.execute(session, {**values, "b_message_id": message_id})).one()
    if row[0] is None:
        return _newcomer(batch, values, row[_NEWCOMER_AT:])
    if row[_TEAM + 1] is None or row[_TEAM]:
        return None  # no open session, or team messages to deliver
    participant = Participant(*row[:_TEAM])
    *session_and_dates, version, claim_id, replies = row[_TEAM + 1 : _NEWCOMER_AT]
    if claim_id is not None:
        if replies is None:
            return None  # being handled now, by a transaction that has it claimed
        return OpenedMessage(participant, False, InboundClaim(claim_id, False, replies), None)
    stored = session_of(tuple(session_and_dates))
    batch.unchanged = (stored.id, version)
    claim = None if message_id is None else InboundClaim(None, True, None)
    return OpenedMessage(participant, False, claim, stored)


def _newcomer(batch: Batch, values: dict[str, Any], row: tuple[Any, ...]) -> OpenedMessage:
    """Someone not enrolled, as the peek read them (`_NEWCOMER`'s columns):
    what their message's writes name is kept with the held writes."""
    note_version, participant_id, session_id = row[_NOT_ENROLLED:]
    batch.newcomer = Newcomer(
        values["b_channel"],
        values["b_user_hash"],
        values["b_now"],
        note_version,
        None if participant_id is None else (participant_id, session_id),
    )
    return _not_enrolled(row)


def _not_enrolled(row: tuple[Any, ...]) -> OpenedMessage:
    """Someone not enrolled, from the columns the function and the peek both
    read of them, in this order: whether the erasure receipt names the
    message, their note, the consultation they look at first, its live
    version and console dates."""
    erased, *note = row[: len(NOTE) + 1]
    consultation_id, version_id, *dates = row[len(NOTE) + 1 : _NOT_ENROLLED]
    outside = Outside(None if note[0] is None else PreConsent(*note), bool(erased))
    found = None if version_id is None else (version_id, console_dates(*dates))
    live = None if consultation_id is None else LiveLookup(consultation_id, found)
    return OpenedMessage(None, False, None, None, outside, live)


async def _open_on_sqlite(
    session: AsyncSession,
    channel: str,
    user_hash: str,
    message_id: str | None,
    now: dt.datetime,
    nobody: _Nobody,
) -> OpenedMessage:
    values = {"b_channel": channel, "b_user_hash": user_hash}
    row = (await _SQLITE_OPEN.execute(session, values)).first()
    if row is None:
        return await _nobody(session, channel, user_hash, now, nobody)
    participant, waiting = Participant(*row[:_TEAM]), bool(row[_TEAM])
    claim = await _claim(session, channel, user_hash, message_id, now)
    if claim is not None and not claim.is_new:
        return OpenedMessage(participant, waiting, claim, None)
    stored = None if row[_TEAM + 1] is None else session_of(row[_TEAM + 1 :])
    return OpenedMessage(participant, waiting, claim, stored)


@dataclass(frozen=True, slots=True)
class _Nobody:
    """What is read for someone not enrolled: see open_message."""

    receipt: str | None
    wanted: str | None
    default: str | None


async def _nobody(
    session: AsyncSession, channel: str, user_hash: str, now: dt.datetime, nobody: _Nobody
) -> OpenedMessage:
    """Someone not enrolled: what is kept about them outside consent, and the
    live version of the consultation they look at first, as the function reads
    them."""
    outside = await pre_consent.find_outside(session, channel, user_hash, nobody.receipt, now=now)
    first = nobody.wanted or (outside.note and outside.note.consultation_id) or nobody.default
    live = None
    if first is not None:
        live = LiveLookup(first, await consultations.live_id_and_dates(session, first))
    return OpenedMessage(None, False, None, None, outside, live)


async def _claim(
    session: AsyncSession, channel: str, user_hash: str, message_id: str | None, now: dt.datetime
) -> InboundClaim | None:
    """The dedupe claim of `message_id`; None when the platform gave no id."""
    if message_id is None:
        return None
    return await inbound.claim(session, channel, user_hash, message_id, now=now)
