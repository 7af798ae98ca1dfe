"""A consultation's flow versions in the console: which is live, a readable
diff between two of them, and its opening and closing dates, which can be
changed or the consultation closed now (audited).

Dates set here replace the flow file's for every version, conversations in
progress included (the flow catalog applies them to each message, see
storage.consultations.dates_of), until the next deployment brings a file's
dates back. `closes` is the last day answers are taken, in the region's time
zone: closing now makes yesterday the last day.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Final

from aiohttp import web

from bot.before_consent import REGION_TIMEZONE
from bot.console.flow_pages import dates_of
from bot.console.guard import redirect, viewer_of
from bot.console.queue_pages import database_of
from bot.console.rendering import page
from storage import audit, consultations
from storage.consultations import ConsultationSummary

PREFIX: Final = "/console/flows"
AUDIT_DATES: Final = "flow.dates"
AUDIT_CLOSE: Final = "flow.close"
DIFF_CONTEXT: Final = 3  # unchanged lines shown around a change
NOTICES: Final = {
    "deployed": "Deployed: new conversations take this version; those in progress keep theirs.",
    "unchanged": "This exact flow was already live: nothing changed.",
    "dates": "Dates changed: residents are held to them from their next message.",
    "closed": "Closed: residents are told so from their next message.",
}


@dataclass(frozen=True, slots=True)
class DiffLine:
    change: str  # "added", "removed" or "unchanged"; "" for a gap between parts
    old: int | None  # the line's number in the older version
    new: int | None
    text: str


async def history(request: web.Request) -> web.Response:
    summary = await _summary(request)
    numbers = [v.version for v in summary.versions]
    older, newer = _pair(request, numbers)
    diff: list[DiffLine] = []
    if older is not None and newer is not None:
        async with database_of(request).transaction() as session:
            texts = {
                v.version: v.definition for v in await consultations.versions(session, summary.id)
            }
        diff = diff_lines(texts[older], texts[newer])
    return await _page(request, summary, older=older, newer=newer, diff=diff)


async def change_dates(request: web.Request) -> web.Response:
    summary = await _summary(request)
    form = await request.post()
    try:
        opens = _date(str(form.get("opens", "")), "opening")
        closes = _date(str(form.get("closes", "")), "closing")
    except ValueError as wrong:
        return await _page(request, summary, error=str(wrong), status=400)
    if opens and closes and opens > closes:
        error = "The closing date is before the opening date: nothing changed."
        return await _page(request, summary, error=error, status=400)
    await _set(request, summary, opens, closes, AUDIT_DATES)
    return redirect(f"{PREFIX}/{summary.id}?notice=dates")


async def close_now(request: web.Request) -> web.Response:
    summary = await _summary(request)
    yesterday = dt.datetime.now(REGION_TIMEZONE).date() - dt.timedelta(days=1)
    opens, _, _ = await dates_of(request, summary)
    await _set(request, summary, min(opens, yesterday) if opens else None, yesterday, AUDIT_CLOSE)
    return redirect(f"{PREFIX}/{summary.id}?notice=closed")


async def _set(
    request: web.Request,
    summary: ConsultationSummary,
    opens: dt.date | None,
    closes: dt.date | None,
    action: str,
) -> None:
    before = await dates_of(request, summary)
    now = dt.datetime.now(dt.UTC)
    async with database_of(request).transaction() as session:
        await consultations.set_dates(session, summary.id, opens, closes, now=now)
        await audit.record(
            session,
            action,
            {},
            now=now,
            actor=viewer_of(request).name,
            subject=f"consultation:{summary.id}",
            state_before=_period(before[0], before[1]),
            state_after=_period(opens, closes),
        )


def diff_lines(old: str, new: str) -> list[DiffLine]:
    """What changed from `old` to `new`, line by line, with a few unchanged
    lines around each change (difflib)."""
    a, b = old.split("\n"), new.split("\n")
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for group in matcher.get_grouped_opcodes(DIFF_CONTEXT):
        if lines:
            lines.append(DiffLine("", None, None, ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [
                    DiffLine("unchanged", i + 1, j1 + i - i1 + 1, a[i]) for i in range(i1, i2)
                ]
                continue
            lines += [DiffLine("removed", i + 1, None, a[i]) for i in range(i1, i2)]
            lines += [DiffLine("added", None, j + 1, b[j]) for j in range(j1, j2)]
    return lines


async def _summary(request: web.Request) -> ConsultationSummary:
    consultation_id = request.match_info["consultation"]
    if not viewer_of(request).may_see(consultation_id):
        raise web.HTTPForbidden(text="you do not organise this consultation")
    async with database_of(request).transaction() as session:
        for summary in await consultations.overview(session):
            if summary.id == consultation_id:
                return summary
    raise web.HTTPNotFound(text=f"no consultation {consultation_id} is deployed")


def _pair(request: web.Request, numbers: list[int]) -> tuple[int | None, int | None]:
    """The versions to compare: ?from=&to=, by default the last two."""
    chosen = [request.query.get(key, "") for key in ("from", "to")]
    if all(value.isdigit() and int(value) in numbers for value in chosen):
        return int(chosen[0]), int(chosen[1])
    if len(numbers) >= 2 and not any(chosen):
        return numbers[-2], numbers[-1]
    return None, None


async def _page(
    request: web.Request,
    summary: ConsultationSummary,
    *,
    older: int | None = None,
    newer: int | None = None,
    diff: list[DiffLine] | None = None,
    error: str | None = None,
    status: int = 200,
) -> web.Response:
    opens, closes, from_console = await dates_of(request, summary)
    today = dt.datetime.now(REGION_TIMEZONE).date()
    return page(
        request,
        "flow_history.html",
        status,
        title=f"Flow versions of {summary.id}",
        summary=summary,
        opens=opens,
        closes=closes,
        from_console=from_console,
        state=(
            "not open yet"
            if opens is not None and today < opens
            else "closed"
            if closes is not None and today > closes
            else "open"
        ),
        older=older,
        newer=newer,
        diff=diff or [],
        notice=NOTICES.get(request.query.get("notice", "")),
        error=error,
    )


def _date(value: str, which: str) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"The {which} date is not a date (YYYY-MM-DD): nothing changed.") from None


def _period(opens: dt.date | None, closes: dt.date | None) -> str:
    return f"opens {opens or 'any time'}, closes {closes or 'never'}"
