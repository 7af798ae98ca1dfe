"""The inbox of residents who asked for a person: conversations waiting for
someone of the team, oldest request first (50 a page, by consultation); one
conversation as the resident saw it, with a reply form (typed, or one of the
saved replies of the resident's language); mark handled / reopen.

Replies and handling go through bot.team_messages (the same service as
`consultbot human`), which delivers over the resident's channel and audits
each action (who, when, which conversation; never the text). A moderator
limited to some consultations sees and answers only theirs.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Final

from aiohttp import web

from bot.console.guard import (
    STATE,
    VIEWER,
    WAITING,
    Handler,
    reading,
    reads_only,
    redirect,
    viewer_of,
)
from bot.console.queue_pages import database_of
from bot.console.rendering import page
from bot.team_messages import (
    MAX_TEXT_CHARS,
    AlreadySent,
    Outcome,
    TeamMessageError,
    TeamMessages,
)
from storage import saved_replies, team_messages, transcript_search
from storage.errors import NotFound
from storage.models import ConsoleRole
from storage.team_messages import HumanRequest

PAGE: Final = 50
PREFIX: Final = "/console"

# What a moderator is told after an action: fixed words, never the URL's.
NOTICES: Final = {
    Outcome.DELIVERED.value: "Sent: the resident's channel has your reply.",
    Outcome.QUEUED.value: "Saved: the resident sees your reply when they next open the chat "
    "or write.",
    "handled": "Marked handled: the conversation left the inbox.",
    "reopened": "Reopened: the conversation is back in the inbox.",
    "unchanged_handled": "Already handled: nothing changed (the conversation had left the "
    "inbox before, perhaps by a colleague).",
    "unchanged_open": "Already in the inbox: nothing changed.",
}
UNREACHABLE: Final = (
    "Not delivered: this resident blocked the bot, so nothing can reach them now. "
    "Your reply is kept and sent if they write again."
)
ERASED: Final = (
    "Not sent: the resident erased this conversation (or the number is wrong). Nothing was kept."
)
ALREADY_SENT: Final = (
    "Already sent: this reply form was sent before (a double click, or the page sent again), "
    "so your reply was not sent a second time. The team's messages below show what the "
    "resident has."
)
# The reply form's one-time token, as `_form_token` makes it; anything else
# (a page from before tokens) is sent without the check.
_FORM_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


def messages_of(request: web.Request) -> TeamMessages:
    found = request.app[STATE].team_messages
    if found is None:
        raise web.HTTPServiceUnavailable(text="the console is starting; try again in a moment")
    return found


def _allowed(request: web.Request) -> frozenset[str] | None:
    viewer = viewer_of(request)
    return None if viewer.role is ConsoleRole.ADMIN else viewer.user.consultations


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _number(value: str | None) -> int | None:
    if value is None or not value.isdigit() or len(value) > 18:
        return None
    return int(value)


def _form_token() -> str:
    """A fresh token for each reply form shown: the same form sent twice
    carries the same token, and storage keeps one message per token."""
    return secrets.token_urlsafe(18)


def _sent_token(form: dict[str, str]) -> str | None:
    token = form.get("once", "")
    return token if _FORM_TOKEN.match(token) else None


def _session_id(request: web.Request) -> int:
    found = _number(request.match_info["session"])
    if found is None:
        raise web.HTTPNotFound()
    return found


@web.middleware
async def count_waiting(request: web.Request, handler: Handler) -> web.StreamResponse:
    """For the navigation: how many conversations wait, on a moderator's pages."""
    viewer = request.get(VIEWER)
    access = request.app[STATE].access.get(request.match_info.route)
    if (
        request.method == "GET"
        and access is not None
        and not access.public
        and viewer is not None
        and viewer.session.stage == "full"
        and viewer.role in (ConsoleRole.MODERATOR, ConsoleRole.ADMIN)
        and request.app[STATE].accounts is not None
    ):
        allowed = None if viewer.role is ConsoleRole.ADMIN else viewer.user.consultations
        async with reading(request) as session:
            request[WAITING] = await team_messages.waiting_count(session, consultations=allowed)
    return await handler(request)


@reads_only()
async def inbox(request: web.Request) -> web.Response:
    allowed = _allowed(request)
    consultation = request.query.get("consultation", "")
    chosen: list[str] | None = None if allowed is None else sorted(allowed)
    if consultation:
        if allowed is not None and consultation not in allowed:
            raise web.HTTPForbidden(text="you do not moderate this consultation")
        chosen = [consultation]
    after_id = _number(request.query.get("after"))
    async with reading(request) as session:
        consultations = await transcript_search.consultation_ids(session, allowed)
        after: HumanRequest | None = None
        if after_id is not None:
            try:
                after = await team_messages.request(session, after_id)
            except NotFound:
                after = None
        waiting = await team_messages.waiting(
            session, consultations=chosen, after=after, limit=PAGE
        )
    next_url = None
    if len(waiting) == PAGE:
        next_url = str(request.rel_url.update_query(after=waiting[-1].session_id))
    return page(
        request,
        "inbox.html",
        title="Residents waiting for a person",
        waiting=waiting,
        consultations=consultations,
        consultation=consultation,
        next_url=next_url,
        notice=NOTICES.get(request.query.get("notice", "")),
    )


async def conversation(request: web.Request) -> web.Response:
    notice_key = request.query.get("notice", "")
    return await _conversation_page(
        request,
        _session_id(request),
        notice=NOTICES.get(notice_key),
        error=UNREACHABLE if notice_key == Outcome.UNREACHABLE.value else None,
    )


async def _conversation_page(
    request: web.Request,
    session_id: int,
    *,
    status: int = 200,
    notice: str | None = None,
    error: str | None = None,
    text: str = "",
    done: bool = False,
) -> web.Response:
    try:
        found = await messages_of(request).conversation(session_id)
    except TeamMessageError as gone:
        return page(
            request,
            "decision.html",
            404,
            title=f"Conversation {session_id}",
            message=str(gone),
            back=f"{PREFIX}/inbox",
        )
    if not viewer_of(request).may_see(found.request.consultation_id):
        raise web.HTTPForbidden(
            text="this conversation belongs to a consultation you do not moderate"
        )
    async with database_of(request).transaction() as session:
        language = found.request.language or "fr"
        saved = await saved_replies.listing(session, language)
    return page(
        request,
        "inbox_conversation.html",
        status,
        title=f"Conversation {session_id}",
        found=found.request,
        lines=found.transcript,
        sent=found.messages,
        saved=saved,
        language=language,
        text=text,
        done=done,
        once=_form_token(),
        max_text=MAX_TEXT_CHARS,
        notice=notice,
        error=error,
    )


async def _visible(request: web.Request, session_id: int) -> HumanRequest | None:
    """The conversation's request, refused (403) in another moderator's
    consultation; None if it does not exist (any more)."""
    async with database_of(request).transaction() as session:
        try:
            found = await team_messages.request(session, session_id)
        except NotFound:
            return None
    if not viewer_of(request).may_see(found.consultation_id):
        raise web.HTTPForbidden(
            text="this conversation belongs to a consultation you do not moderate"
        )
    return found


async def _form(request: web.Request) -> dict[str, str]:
    form = await request.post()
    return {k: v[: MAX_TEXT_CHARS * 2] for k, v in form.items() if isinstance(v, str)}


async def reply(request: web.Request) -> web.Response:
    session_id = _session_id(request)
    form = await _form(request)
    if await _visible(request, session_id) is None:
        return _gone_page(request, session_id)
    text = form.get("text", "")
    if not text.strip() and _number(form.get("saved")) is not None:
        async with database_of(request).transaction() as session:
            chosen = await saved_replies.get(session, int(form["saved"]))
        if chosen is None:
            return await _conversation_page(
                request,
                session_id,
                status=400,
                error="That saved reply no longer exists: pick another or write your reply.",
            )
        text = chosen.text
    messages = messages_of(request)
    author = viewer_of(request).name
    done = bool(form.get("done"))
    try:
        outcome = await messages.reply(
            session_id, text, author, _now(), form_token=_sent_token(form)
        )
    except AlreadySent:
        return await _conversation_page(request, session_id, status=409, error=ALREADY_SENT)
    except TeamMessageError as refused:
        # The text and the tick stay, to shorten the reply and send it again.
        return await _conversation_page(
            request, session_id, status=400, error=f"Not sent: {refused}.", text=text, done=done
        )
    if outcome is Outcome.ERASED:
        return _gone_page(request, session_id)
    if done and outcome is not Outcome.UNREACHABLE:
        await messages.mark_handled(session_id, True, author, _now())
        return redirect(f"{PREFIX}/inbox?notice={outcome.value}")
    return redirect(f"{PREFIX}/inbox/{session_id}?notice={outcome.value}")


def _gone_page(request: web.Request, session_id: int) -> web.Response:
    return page(
        request,
        "decision.html",
        410,
        title=f"Conversation {session_id}",
        message=ERASED,
        back=f"{PREFIX}/inbox",
    )


async def handled(request: web.Request) -> web.Response:
    return await _handle(request, True)


async def reopen(request: web.Request) -> web.Response:
    return await _handle(request, False)


async def _handle(request: web.Request, done: bool) -> web.Response:
    session_id = _session_id(request)
    if await _visible(request, session_id) is None:
        return _gone_page(request, session_id)
    try:
        changed = await messages_of(request).mark_handled(
            session_id, done, viewer_of(request).name, _now()
        )
    except TeamMessageError as refused:
        return await _conversation_page(request, session_id, status=409, error=str(refused))
    if done:
        return redirect(f"{PREFIX}/inbox?notice={'handled' if changed else 'unchanged_handled'}")
    notice = "reopened" if changed else "unchanged_open"
    return redirect(f"{PREFIX}/inbox/{session_id}?notice={notice}")
