"""Transcripts (a conversation as the resident saw it, a text search within a
consultation, and the conversation a resident's receipt code was given in) and
the audit log (admins; CSV export audited too)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.audit import CSV_HEADER, audit_row
from bot.console.guard import PREFIX, STATE, safe_back, viewer_of
from bot.console.queue_pages import database_of
from bot.console.rendering import page
from storage import audit, transcript_search, transcripts
from storage.models import ConsoleRole

AUDIT_PAGE = 100
MAX_SEARCH = transcript_search.MAX_SEARCH


def _int(value: str | None, default: int = 0) -> int:
    try:
        return max(0, int(value or default))
    except ValueError:
        return default


def _allowed(request: web.Request) -> frozenset[str] | None:
    viewer = viewer_of(request)
    return None if viewer.role is ConsoleRole.ADMIN else viewer.user.consultations


async def transcript(request: web.Request) -> web.Response:
    session_id = _int(request.match_info["session"], -1)
    async with database_of(request).transaction() as session:
        found = await transcript_search.header(session, session_id)
        if found is None:
            raise web.HTTPNotFound()
        if not viewer_of(request).may_see(found.consultation_id):
            raise web.HTTPForbidden(text="this conversation belongs to another consultation")
        lines = await transcripts.for_session(session, session_id)
    back = safe_back(request.query.get("back"), default=f"{PREFIX}/transcripts")
    return page(
        request,
        "transcript.html",
        title=f"Conversation {session_id}",
        header=found,
        lines=lines,
        back=back,
        back_label=_back_label(back),
    )


def _back_label(back: str) -> str:
    """The words of the link back to where the transcript was opened from."""
    path = back.partition("?")[0]
    if path == f"{PREFIX}/transcripts":
        return "Back to the search" if "q=" in back else "Back to the transcript search"
    if path == f"{PREFIX}/queue":
        return "Back to the queue"
    if path.startswith(f"{PREFIX}/answers/"):
        return "Back to the answer"
    return "Back"


# A receipt code as a moderator types what a resident reads out on the phone:
# any case, with or without its dash ("mob-9h0d", "MOB9H0D").
_RECEIPT_CODE = re.compile(r"([A-Za-z]{2,4})[ -]?([2-9][0-9A-Za-z]{3})")


def _receipt_code(words: str) -> str | None:
    found = _RECEIPT_CODE.fullmatch(words)
    return None if found is None else f"{found[1]}-{found[2]}".upper()


async def _given_code(
    request: web.Request, session: AsyncSession, code: str, consultations: list[str]
) -> list[transcript_search.Completed]:
    """The completed contributions, among the consultations the moderator
    sees, whose receipt code is `code` (two may share one: four characters)."""
    receipts = request.app[STATE].receipts
    if receipts is None:
        raise web.HTTPServiceUnavailable(text="the console is starting; try again in a moment")
    prefix = code.partition("-")[0]
    # A code starts with its consultation's letters: only those are computed.
    named = [c for c in consultations if receipts.code(c, 0).partition("-")[0] == prefix]
    return [
        contribution
        for contribution in await transcript_search.completed(session, named)
        if receipts.is_code_of(code, contribution.consultation_id, contribution.session_id)
    ]


async def search(request: web.Request) -> web.Response:
    consultation = request.query.get("consultation", "")
    words = request.query.get("q", "").strip()
    code = _receipt_code(words)
    error = None
    found: list[transcript_search.FoundLine] = []
    given: list[transcript_search.Completed] = []
    async with database_of(request).transaction() as session:
        consultations = await transcript_search.consultation_ids(session, _allowed(request))
        if len(words) > MAX_SEARCH:
            error = f"Search for at most {MAX_SEARCH} characters."
        elif code is not None:
            given = await _given_code(request, session, code, consultations)
        elif words and consultation:
            if consultation not in consultations:
                raise web.HTTPForbidden(text="you do not moderate this consultation")
            found = await transcript_search.search(
                session, consultation, words, after_line_id=_int(request.query.get("after"))
            )
    next_url = None
    if len(found) == 50:
        next_url = str(request.rel_url.update_query(after=found[-1].line_id))
    return page(
        request,
        "transcripts.html",
        400 if error else 200,
        title="Transcripts",
        consultations=consultations,
        consultation=consultation,
        here=str(request.rel_url),
        words=words[:MAX_SEARCH],
        code=code,
        given=given,
        found=found,
        next_url=next_url,
        error=error,
    )


async def audit_log(request: web.Request) -> web.Response:
    action = request.query.get("action") or None
    # Who did it: a console account's e-mail, "cli:<user>", as the Who column shows.
    actor = request.query.get("actor", "").strip() or None
    before = _int(request.query.get("before")) or None
    async with database_of(request).transaction() as session:
        records = await audit.recent(
            session, action=action, actor=actor, before_id=before, limit=AUDIT_PAGE
        )
    next_url = None
    if len(records) == AUDIT_PAGE:
        next_url = str(request.rel_url.update_query(before=records[-1].id))
    return page(
        request,
        "audit.html",
        title="Audit log",
        records=records,
        action=action or "",
        actor=actor or "",
        next_url=next_url,
    )


async def audit_csv(request: web.Request) -> web.Response:
    days = min(_int(request.query.get("days"), 30) or 30, 3660)
    now = dt.datetime.now(dt.UTC)
    async with database_of(request).transaction() as session:
        records = await audit.recent(session, since=now - dt.timedelta(days=days), limit=100_000)
        await audit.record(
            session,
            "audit.export",
            {"records": len(records)},
            now=now,
            actor=viewer_of(request).name,
            details={"days": str(days)},
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerows(audit_row(r) for r in records)
    return web.Response(
        text=out.getvalue(),
        content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="audit-{now:%Y%m%d}.csv"'},
    )
