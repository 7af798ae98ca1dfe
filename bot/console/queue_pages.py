"""The review queue: pending free-text answers oldest first, 50 a page, with
filters; one answer's page (opening it holds it for its moderator 5 minutes);
the decisions: approve (as typed or redacted), reject with a reason, tag, and
bulk approve/reject. A moderator limited to some consultations sees and
decides only theirs."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from yarl import URL

from bot.console.decisions import (
    checked_reason,
    highlighted,
    outcome_message,
    scan_personal_data,
    unpublishable_in_bulk,
)
from bot.console.guard import STATE, reading, reads_only, redirect, safe_back, viewer_of
from bot.console.rendering import page
from bot.errors import UserError
from storage import audit, moderation, review_queue
from storage.database import Database
from storage.errors import InvalidModeration, NotFound
from storage.models import ConsoleRole, ModerationStatus
from storage.moderation import Decision, Outcome
from storage.review_queue import QueueFilter, QueueItem

MAX_BULK = 200
MAX_FIELD = 20_000


def database_of(request: web.Request) -> Database:
    accounts = request.app[STATE].accounts
    if accounts is None:
        raise web.HTTPServiceUnavailable(text="the console is starting; try again in a moment")
    return accounts.database


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class ShownItem:
    """An answer as the queue shows it."""

    item: QueueItem
    pieces: tuple[tuple[str, str | None], ...]  # the text, personal data marked
    suggestion: str | None  # the text with its personal data replaced
    held_by_other: bool
    published: str | None  # the redacted text published instead of the resident's


def _published(item: QueueItem) -> str | None:
    """What was published instead of the resident's words, if a moderator
    redacted them: the page must show it, the original alone misleads."""
    redacted = item.redacted_text
    if item.status is not ModerationStatus.APPROVED or redacted in (None, item.text):
        return None
    return redacted


def _shown(item: QueueItem, viewer_name: str, now: dt.datetime) -> ShownItem:
    pieces, suggestion = highlighted(item.text, item.language)
    return ShownItem(
        item,
        pieces,
        suggestion,
        item.held_by is not None
        and item.held_by != viewer_name
        and item.held_until is not None
        and item.held_until > now,
        _published(item),
    )


def _allowed(request: web.Request) -> frozenset[str] | None:
    viewer = viewer_of(request)
    return None if viewer.role is ConsoleRole.ADMIN else viewer.user.consultations


def _day(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.strptime(value[:10], "%Y-%m-%d").replace(tzinfo=dt.UTC)
    except ValueError:
        raise web.HTTPBadRequest(text="dates are written YYYY-MM-DD") from None


def _filter(request: web.Request) -> QueueFilter:
    query = request.query
    try:
        status = ModerationStatus(query.get("status") or "pending")
    except ValueError:
        status = ModerationStatus.PENDING
    until = _day(query.get("to"))
    return QueueFilter(
        status=status,
        consultation_id=query.get("consultation") or None,
        allowed_consultations=_allowed(request),
        question_id=query.get("question") or None,
        channel=query.get("channel") or None,
        answered_from=_day(query.get("from")),
        answered_before=None if until is None else until + dt.timedelta(days=1),
        personal_data=True if query.get("pd") else None,
        search=(query.get("q") or "").strip() or None,
    )


def _after(request: web.Request) -> int:
    try:
        return max(0, int(request.query.get("after", "0")))
    except ValueError:
        return 0


def _no_scan_first(request: web.Request) -> bool:
    # The personal-data filter first scans the answers not scanned yet (writes).
    return not request.query.get("pd")


@reads_only(_no_scan_first)
async def queue(request: web.Request) -> web.Response:
    viewer = viewer_of(request)
    criteria = _filter(request)
    database = database_of(request)
    if criteria.personal_data:
        await scan_personal_data(database)
    error = None
    items: list[QueueItem] = []
    until = None
    matching = None  # a text search reads a window at a time: no count
    try:
        async with reading(request) as session:
            if criteria.search:
                until = await review_queue.search_window_end(
                    session, criteria, after_id=_after(request)
                )
            else:
                matching = await review_queue.count(session, criteria)
            items = await review_queue.page(
                session, criteria, after_id=_after(request), until_id=until
            )
    except InvalidModeration as invalid:
        error = str(invalid)
    now = _now()
    # Where this page's forms and links come back to: its filters and place,
    # without the last decision's confirmation (said once, not on every page).
    here = request.rel_url.without_query_params("notice")
    next_url = None
    searched_to = None
    if len(items) == review_queue.PAGE:
        next_url = str(here.update_query(after=items[-1].id))
    elif until is not None:  # the search read its window: it can go further
        searched_to = until
        next_url = str(here.update_query(after=until))
    return page(
        request,
        "queue.html",
        400 if error else 200,
        title="Review queue",
        items=[_shown(item, viewer.name, now) for item in items],
        matching=_matching_text(matching, criteria.status),
        query=request.query,
        statuses=[s.value for s in ModerationStatus],
        next_url=next_url,
        searched_to=searched_to,
        back=str(here),
        notice=notice_text(request.query.get("notice", "")),
        resume=_resume_at(items, request.query.get("notice", "")),
        error=error,
    )


def _resume_at(items: list[QueueItem], notice: str) -> int | None:
    """The answer to select after a decision on one: the next after it (the
    page is oldest first), else the last, so that a moderator who skipped
    some answers goes on from where they were, not from the top."""
    match = _NOTICE.match(notice)
    if match is None or match.group(1) not in ("approved", "rejected") or not items:
        return None
    decided = int(match.group(2))
    return next((item.id for item in items if item.id > decided), items[-1].id)


def _matching_text(matching: int | None, status: ModerationStatus) -> str | None:
    """How many answers the filters keep, all pages together."""
    if matching is None:
        return None
    if matching > review_queue.COUNTED:
        return f"More than {review_queue.COUNTED:,} {status.value} answers match these filters."
    noun = "answer matches" if matching == 1 else "answers match"
    return f"{matching:,} {status.value} {noun} these filters."


async def _visible_item(request: web.Request, answer_id: int) -> QueueItem | None:
    async with database_of(request).read() as session:
        return await _visible_in(session, request, answer_id)


async def _visible_in(session: Any, request: web.Request, answer_id: int) -> QueueItem | None:
    """The answer, refused (403) in a consultation the moderator does not moderate."""
    item = await review_queue.item(session, answer_id)
    if item is not None and not viewer_of(request).may_see(item.consultation_id):
        raise web.HTTPForbidden(text="this answer belongs to a consultation you do not moderate")
    return item


def _answer_id(request: web.Request) -> int:
    try:
        return int(request.match_info["answer"])
    except ValueError:
        raise web.HTTPNotFound() from None


async def answer(request: web.Request) -> web.Response:
    """One answer: held for the moderator who opens it, with its history."""
    viewer = viewer_of(request)
    answer_id = _answer_id(request)
    item = await _visible_item(request, answer_id)
    now = _now()
    async with database_of(request).transaction() as session:
        if item is None:
            state = await _state_or_none(session, answer_id, now)
            if state is None or state.outcome is not Outcome.ERASED:
                raise web.HTTPNotFound()
            return page(
                request, "erased.html", 410, title=f"Answer {answer_id}", answer_id=answer_id
            )
        held = None
        if item.status is ModerationStatus.PENDING:
            held = await moderation.hold(session, answer_id, by=viewer.name, now=now)
        history = await audit.recent(session, subject=moderation.subject(answer_id))
    if held is not None and held.applied:
        item = await _visible_item(request, answer_id) or item
    return page(
        request,
        "answer.html",
        title=f"Answer {answer_id}",
        shown=_shown(item, viewer.name, now),
        held=held,
        history=history,
        back=safe_back(request.query.get("back")),
        opened_from=str(request.rel_url),
    )


async def _state_or_none(session: Any, answer_id: int, now: dt.datetime) -> Decision | None:
    try:
        return await moderation.state(session, answer_id, now=now)
    except NotFound:
        return None


_NOTICE = re.compile(r"^(approved|rejected|tagged) (\d{1,19})$|^bulk (approve|reject) (\d{1,4})$")


def notice_text(notice: str) -> str | None:
    """The confirmation shown after a decision: fixed words, never the URL's."""
    match = _NOTICE.match(notice)
    if match is None:
        return None
    if match.group(1):
        return f"Answer {match.group(2)} {match.group(1)}."
    verb = "approved" if match.group(3) == "approve" else "rejected"
    return f"{_answers(int(match.group(4)))} {verb}."


def _answers(count: int) -> str:
    """ "1 answer", "2 answers", "0 answers"."""
    return f"{count} answer" if count == 1 else f"{count} answers"


async def _fields(request: web.Request) -> dict[str, str]:
    form = await request.post()
    return {k: v[:MAX_FIELD] for k, v in form.items() if isinstance(v, str)}


def _back_with(back: str, notice: str) -> str:
    return str(URL(back).update_query(notice=notice))


async def _decided(request: web.Request, decision: Decision, back: str) -> web.Response:
    if decision.applied:
        return redirect(_back_with(back, f"{decision.status} {decision.answer_id}"))
    return page(
        request,
        "decision.html",
        409,
        title="Nothing changed",
        message=outcome_message(decision),
        back=back,
    )


async def approve(request: web.Request) -> web.Response:
    viewer = viewer_of(request)
    answer_id = _answer_id(request)
    form = await _fields(request)
    back = safe_back(form.get("back"))
    # The redact form always sends its text field; emptied, it must be refused
    # (storage says so), never read as "approve as written": that would publish
    # the very text the moderator meant to redact. The plain Approve form and
    # the bulk approval send no text field and publish the answer as written.
    text = form.get("text")
    try:
        async with database_of(request).transaction() as session:
            await _visible_in(session, request, answer_id)
            decision = await moderation.approve(
                session, answer_id, by=viewer.name, now=_now(), text=text
            )
    except NotFound:
        raise web.HTTPNotFound() from None
    except InvalidModeration as invalid:
        return page(
            request, "decision.html", 400, title="Not approved", message=str(invalid), back=back
        )
    return await _decided(request, decision, back)


async def reject(request: web.Request) -> web.Response:
    viewer = viewer_of(request)
    answer_id = _answer_id(request)
    form = await _fields(request)
    back = safe_back(form.get("back"))
    try:
        reason = checked_reason(
            form.get("reason", ""), request.app[STATE].settings.console.rejection_reasons
        )
        async with database_of(request).transaction() as session:
            await _visible_in(session, request, answer_id)
            decision = await moderation.reject(
                session,
                answer_id,
                by=viewer.name,
                now=_now(),
                reason=reason,
                note=form.get("note") or None,
            )
    except NotFound:
        raise web.HTTPNotFound() from None
    except (InvalidModeration, UserError) as invalid:
        return page(
            request, "decision.html", 400, title="Not rejected", message=str(invalid), back=back
        )
    return await _decided(request, decision, back)


async def tag(request: web.Request) -> web.Response:
    viewer = viewer_of(request)
    answer_id = _answer_id(request)
    form = await _fields(request)
    back = safe_back(form.get("back"))
    tags = [t for t in form.get("tags", "").split(",") if t.strip()]
    try:
        async with database_of(request).transaction() as session:
            await _visible_in(session, request, answer_id)
            decision = await moderation.tag(session, answer_id, tags, by=viewer.name, now=_now())
    except NotFound:
        raise web.HTTPNotFound() from None
    except InvalidModeration as invalid:
        return page(
            request, "decision.html", 400, title="Not tagged", message=str(invalid), back=back
        )
    if decision.applied:
        return redirect(_back_with(back, f"tagged {answer_id}"))
    return await _decided(request, decision, back)


async def bulk(request: web.Request) -> web.Response:
    """Approve or reject the selected answers, one transaction each, so that one
    already decided leaves the others' decisions in place."""
    viewer_of(request)
    form = await request.post()
    back = safe_back(str(form.get("back", "")))
    action = form.get("action")
    ids: list[int] = []
    for value in form.getall("ids", []):
        if isinstance(value, str) and value.isdigit():
            ids.append(int(value))
    if not ids or len(ids) > MAX_BULK or action not in ("approve", "reject"):
        return page(
            request,
            "decision.html",
            400,
            title="Nothing changed",
            message=f"Select between 1 and {MAX_BULK} answers and an action.",
            back=back,
        )
    reason = ""
    if action == "reject":
        try:
            reason = checked_reason(
                str(form.get("reason", "")), request.app[STATE].settings.console.rejection_reasons
            )
        except UserError as error:
            return page(
                request,
                "decision.html",
                400,
                title="Nothing changed",
                message=str(error),
                back=back,
            )
    applied, refused = 0, []
    kept: set[int] = set()
    for answer_id in dict.fromkeys(ids):  # all checked before any is decided
        item = await _visible_item(request, answer_id)
        why = None if item is None or action != "approve" else _kept_pending(item)
        if why is not None:
            kept.add(answer_id)
            refused.append(why)
    for answer_id in dict.fromkeys(ids):
        if answer_id in kept:
            continue
        try:
            decision = await _bulk_one(request, answer_id, str(action), reason)
        except NotFound:
            refused.append(f"there is no answer {answer_id}")
            continue
        if decision.applied:
            applied += 1
        else:
            refused.append(outcome_message(decision))
    if not refused:
        return redirect(_back_with(back, f"bulk {action} {applied}"))
    return page(
        request,
        "decision.html",
        409,
        title=f"{_answers(applied)} {'approved' if action == 'approve' else 'rejected'}",
        message="; ".join(refused),
        back=back,
    )


def _kept_pending(item: QueueItem) -> str | None:
    if item.status is not ModerationStatus.PENDING:
        return None  # the decision says who decided it
    return unpublishable_in_bulk(item.id, item.text, item.language)


async def _bulk_one(request: web.Request, answer_id: int, action: str, reason: str) -> Decision:
    by = viewer_of(request).name
    async with database_of(request).transaction() as session:
        if action == "approve":
            return await moderation.approve(session, answer_id, by=by, now=_now())
        return await moderation.reject(session, answer_id, by=by, now=_now(), reason=reason)
