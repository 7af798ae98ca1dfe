"""Consultations and their deployed flow versions.

A flow file is stored whole, with a checksum, who deployed it and when. Deploying
an unchanged definition stores nothing; a changed one becomes a new live version
(announced to the consultation engine by a `consultation.deployed` event), and
sessions in progress stay on the version they started with.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Row,
    Select,
    and_,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage import outbox
from storage.errors import NotFound
from storage.models import ConsultationRow, FlowVersionRow, SessionRow, table
from storage.prepared import Prepared
from storage.writes import insert_if_new

DEPLOYED_EVENT = "consultation.deployed"  # the outbox event of a new live version


@dataclass(frozen=True, slots=True)
class FlowVersion:
    id: int
    consultation_id: str
    version: int  # 1, 2, ... within the consultation
    definition: str  # the flow file's full text
    checksum: str
    source: str | None
    deployed_by: str
    deployed_at: dt.datetime
    live: bool


@dataclass(frozen=True, slots=True)
class Deployment:
    version: FlowVersion  # the live version after the deployment
    changed: bool  # False: the definition was already live, nothing was stored


@dataclass(frozen=True, slots=True)
class Dates:
    """Opening and closing dates set in the console, for every version of a
    consultation (None: no limit); they last until the next deployment."""

    opens: dt.date | None
    closes: dt.date | None
    changed_at: dt.datetime


@dataclass(frozen=True, slots=True)
class VersionSummary:
    id: int
    version: int
    checksum: str
    deployed_by: str
    deployed_at: dt.datetime
    live: bool
    sessions: int  # sessions started on this version


@dataclass(frozen=True, slots=True)
class ConsultationSummary:
    id: str
    title: str | None
    versions: tuple[VersionSummary, ...]  # oldest first
    dates: Dates | None = None  # set in the console; None: each version's file's

    @property
    def live(self) -> VersionSummary | None:
        return next((v for v in self.versions if v.live), None)


_COLUMNS = (
    FlowVersionRow.id,
    FlowVersionRow.consultation_id,
    FlowVersionRow.version,
    FlowVersionRow.definition,
    FlowVersionRow.checksum,
    FlowVersionRow.source,
    FlowVersionRow.deployed_by,
    FlowVersionRow.deployed_at,
    FlowVersionRow.live,
)


_CREATE_IF_NEW = insert_if_new(table(ConsultationRow), ("id", "title", "created_at"), ("id",))


def _version(row: Row[Any]) -> FlowVersion:
    return FlowVersion(*row)


def checksum_of(definition: str) -> str:
    """SHA-256 of the definition's text, in hex."""
    return hashlib.sha256(definition.encode("utf-8")).hexdigest()


async def deploy(
    session: AsyncSession,
    consultation_id: str,
    definition: str,
    *,
    deployed_by: str,
    now: dt.datetime,
    title: str | None = None,
    source: str | None = None,
    checksum: str | None = None,
) -> Deployment:
    """Make `definition` the live version of the consultation (created if new).
    Nothing is stored when the live version has the same checksum. Concurrent
    deployments of one consultation are serialised on its row."""
    checksum = checksum or checksum_of(definition)
    await session.execute(
        _CREATE_IF_NEW, {"id": consultation_id, "title": title, "created_at": now}
    )
    await session.execute(
        select(ConsultationRow.id).where(ConsultationRow.id == consultation_id).with_for_update()
    )
    if title is not None:
        await session.execute(
            update(ConsultationRow).where(ConsultationRow.id == consultation_id).values(title=title)
        )
    live = await live_version(session, consultation_id)
    if live is not None and live.checksum == checksum:
        return Deployment(live, changed=False)
    latest = await session.scalar(
        select(func.max(FlowVersionRow.version)).where(
            FlowVersionRow.consultation_id == consultation_id
        )
    )
    if live is not None:
        await session.execute(
            update(FlowVersionRow).where(FlowVersionRow.id == live.id).values(live=False)
        )
    await session.execute(  # the new file's dates apply again
        update(ConsultationRow)
        .where(ConsultationRow.id == consultation_id, ConsultationRow.dates_changed_at.is_not(None))
        .values(opens=None, closes=None, dates_changed_at=None)
    )
    row = (
        await session.execute(
            insert(FlowVersionRow)
            .values(
                consultation_id=consultation_id,
                version=(latest or 0) + 1,
                definition=definition,
                checksum=checksum,
                source=source,
                deployed_by=deployed_by,
                deployed_at=now,
                live=True,
            )
            .returning(*_COLUMNS)
        )
    ).one()
    deployed = _version(row)
    await outbox.enqueue(
        session,
        DEPLOYED_EVENT,
        {"consultation_id": consultation_id, "version": deployed.version, "title": title},
        now=now,
    )
    return Deployment(deployed, changed=True)


async def live_version(session: AsyncSession, consultation_id: str) -> FlowVersion | None:
    """The version new sessions of the consultation start on; None if none."""
    row = (
        await session.execute(
            select(*_COLUMNS).where(
                FlowVersionRow.consultation_id == consultation_id, FlowVersionRow.live.is_(True)
            )
        )
    ).first()
    return None if row is None else _version(row)


_c = table(ConsultationRow)
_v = table(FlowVersionRow)
# The dates set in the console (when set), joined to what the message path
# reads anyway: they may change at any time, in any process.
CONSOLE_DATES = (_c.c.opens, _c.c.closes, _c.c.dates_changed_at)
_DATED = and_(_c.c.id == _v.c.consultation_id, _c.c.dates_changed_at.is_not(None))


def with_console_dates(
    rows: FromClause, version_id: ColumnElement[int], *, outer: bool = False
) -> FromClause:
    """`rows` (e.g. sessions) joined to the console dates of the consultation of
    the flow version `version_id` names (NULLs when its flow files' dates apply;
    `outer`: also when `version_id` is NULL, e.g. no session found)."""
    return rows.join(_v, _v.c.id == version_id, isouter=outer).outerjoin(_c, _DATED)


def console_dates(opens: Any, closes: Any, changed_at: Any) -> Dates | None:
    """The Dates of the CONSOLE_DATES columns of a row, or None."""
    return None if changed_at is None else Dates(opens, closes, changed_at)


def live_of(consultation: ColumnElement[str]) -> Select[Any]:
    """The live version of the consultation `consultation` names, with the
    console's dates (no row: nothing is deployed). Its tables are aliased: it
    may go inside a statement that reads them for something else (a lateral
    subquery of storage.message_open's)."""
    v, c = _v.alias("live_version"), _c.alias("live_dates")
    dated = and_(c.c.id == v.c.consultation_id, c.c.dates_changed_at.is_not(None))
    return (
        select(v.c.id, c.c.opens, c.c.closes, c.c.dates_changed_at)
        .select_from(v.outerjoin(c, dated))
        .where(v.c.consultation_id == consultation, v.c.live.is_(True))
    )


_LIVE = Prepared(live_of(bindparam("b_consultation", type_=_v.c.consultation_id.type)))


@dataclass(frozen=True, slots=True)
class LiveLookup:
    """What `live_id_and_dates` found for a consultation, read ahead (with the
    message opened: storage.message_open)."""

    consultation_id: str
    found: tuple[int, Dates | None] | None  # None: nothing is deployed


async def live_id_and_dates(
    session: AsyncSession, consultation_id: str
) -> tuple[int, Dates | None] | None:
    """The live version's id and the console's dates, in one read, for the
    per-message path; None when nothing is deployed."""
    row = (await _LIVE.execute(session, {"b_consultation": consultation_id})).first()
    return None if row is None else (row[0], console_dates(*row[1:]))


# Held by the transaction that deploys the first flows of an empty database,
# so that processes starting at once see none of them or all (PostgreSQL; a
# SQLite write transaction is alone anyway).
_FIRST_DEPLOYMENT_LOCK = 0x636F6E73756C75


async def lock_first_deployment(session: AsyncSession) -> None:
    """Wait until no other transaction is deploying the first flows."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _FIRST_DEPLOYMENT_LOCK}
        )


async def live_versions(session: AsyncSession) -> list[FlowVersion]:
    """The live version of every consultation, by consultation id."""
    rows = await session.execute(
        select(*_COLUMNS)
        .where(FlowVersionRow.live.is_(True))
        .order_by(FlowVersionRow.consultation_id)
    )
    return [_version(row) for row in rows]


async def get_version(session: AsyncSession, version_id: int) -> FlowVersion:
    """A version by its id (what a session refers to), live or not."""
    row = (await session.execute(select(*_COLUMNS).where(FlowVersionRow.id == version_id))).first()
    if row is None:
        raise NotFound(f"no flow version {version_id}")
    return _version(row)


async def overview(session: AsyncSession) -> list[ConsultationSummary]:
    """Every consultation with its versions (which is live, how many sessions
    each has), for `consultbot flows list`. Two queries whatever the number of
    consultations."""
    consultations = (
        await session.execute(
            select(
                ConsultationRow.id,
                ConsultationRow.title,
                ConsultationRow.opens,
                ConsultationRow.closes,
                ConsultationRow.dates_changed_at,
            ).order_by(ConsultationRow.id)
        )
    ).all()
    session_counts = (
        select(SessionRow.flow_version_id, func.count().label("sessions"))
        .group_by(SessionRow.flow_version_id)
        .subquery()
    )
    versions = await session.execute(
        select(
            FlowVersionRow.consultation_id,
            FlowVersionRow.id,
            FlowVersionRow.version,
            FlowVersionRow.checksum,
            FlowVersionRow.deployed_by,
            FlowVersionRow.deployed_at,
            FlowVersionRow.live,
            func.coalesce(session_counts.c.sessions, 0),
        )
        .outerjoin(session_counts, session_counts.c.flow_version_id == FlowVersionRow.id)
        .order_by(FlowVersionRow.consultation_id, FlowVersionRow.version)
    )
    by_consultation: dict[str, list[VersionSummary]] = {}
    for consultation_id, *fields in versions:
        by_consultation.setdefault(consultation_id, []).append(VersionSummary(*fields))
    return [
        ConsultationSummary(
            id=cid,
            title=title,
            versions=tuple(by_consultation.get(cid, ())),
            dates=None if changed_at is None else Dates(opens, closes, changed_at),
        )
        for cid, title, opens, closes, changed_at in consultations
    ]


async def versions(session: AsyncSession, consultation_id: str) -> list[FlowVersion]:
    """Every version of a consultation with its text, oldest first."""
    rows = await session.execute(
        select(*_COLUMNS)
        .where(FlowVersionRow.consultation_id == consultation_id)
        .order_by(FlowVersionRow.version)
    )
    return [_version(row) for row in rows]


_DATES = Prepared(
    select(ConsultationRow.opens, ConsultationRow.closes, ConsultationRow.dates_changed_at).where(
        ConsultationRow.id == bindparam("b_consultation"),
        ConsultationRow.dates_changed_at.is_not(None),
    )
)


async def dates_of(session: AsyncSession, consultation_id: str) -> Dates | None:
    """The dates set in the console for the consultation; None if its flow
    files' apply (on the per-message path: one primary-key read)."""
    row = (await _DATES.execute(session, {"b_consultation": consultation_id})).first()
    return None if row is None else Dates(*row)


async def set_dates(
    session: AsyncSession,
    consultation_id: str,
    opens: dt.date | None,
    closes: dt.date | None,
    *,
    now: dt.datetime,
) -> None:
    """Make these the dates of every version of the consultation, conversations
    in progress included, until the next deployment."""
    result = await session.execute(
        update(ConsultationRow)
        .where(ConsultationRow.id == consultation_id)
        .values(opens=opens, closes=closes, dates_changed_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound(f"no consultation {consultation_id}")
