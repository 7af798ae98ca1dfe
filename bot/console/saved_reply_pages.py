"""Saved replies (admins): the texts moderators can pick in the inbox instead
of typing, one language each. Add, change, remove; each change audited (who,
when, which saved reply; not its text)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.guard import redirect, viewer_of
from bot.console.queue_pages import database_of
from bot.console.rendering import page
from bot.errors import UserError
from bot.team_messages import MAX_TEXT_CHARS
from flows.catalogue import CATALOGUE
from storage import audit, saved_replies

PREFIX: Final = "/console"
MAX_TITLE: Final = 120
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
NOTICES: Final = {
    "added": "Saved reply added.",
    "changed": "Saved reply changed.",
    "removed": "Saved reply removed.",
}


class InvalidSavedReply(UserError):
    """A saved reply with a missing or too long title or text, or an unknown
    language; nothing was changed."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _checked(form: dict[str, str]) -> tuple[str, str, str]:
    language = form.get("language", "").strip()
    title = form.get("title", "").strip()
    text = form.get("text", "").strip()
    if not _LANGUAGE.match(language):
        raise InvalidSavedReply(
            f"Choose the language of the reply ({', '.join(CATALOGUE.languages)})."
        )
    if not title or len(title) > MAX_TITLE:
        raise InvalidSavedReply(f"Give the reply a title of 1 to {MAX_TITLE} characters.")
    if not text or len(text) > MAX_TEXT_CHARS:
        raise InvalidSavedReply(
            f"Write the reply's text: 1 to {MAX_TEXT_CHARS} characters (this one has {len(text)})."
        )
    return language, title, text


async def _form(request: web.Request) -> dict[str, str]:
    form = await request.post()
    return {k: v[: MAX_TEXT_CHARS * 2] for k, v in form.items() if isinstance(v, str)}


def _reply_id(request: web.Request) -> int:
    value = request.match_info["saved"]
    if not value.isdigit() or len(value) > 18:
        raise web.HTTPNotFound()
    return int(value)


async def listing(
    request: web.Request,
    *,
    status: int = 200,
    error: str | None = None,
    draft: dict[str, str] | None = None,
) -> web.Response:
    async with database_of(request).transaction() as session:
        replies = await saved_replies.listing(session)
    return page(
        request,
        "saved_replies.html",
        status,
        title="Saved replies",
        replies=replies,
        languages=CATALOGUE.languages,
        draft=draft or {},
        max_text=MAX_TEXT_CHARS,
        notice=NOTICES.get(request.query.get("notice", "")),
        error=error,
    )


async def show(request: web.Request) -> web.Response:
    return await listing(request)


async def add(request: web.Request) -> web.Response:
    form = await _form(request)
    try:
        language, title, text = _checked(form)
    except InvalidSavedReply as invalid:
        return await listing(request, status=400, error=str(invalid), draft=form)
    now, by = _now(), viewer_of(request).name
    async with database_of(request).transaction() as session:
        added = await saved_replies.add(session, language, title, text, by=by, now=now)
        await _audit(session, "saved_reply.add", added.id, by, now, language)
    return redirect(f"{PREFIX}/saved-replies?notice=added")


async def change(request: web.Request) -> web.Response:
    reply_id = _reply_id(request)
    form = await _form(request)
    try:
        language, title, text = _checked(form)
    except InvalidSavedReply as invalid:
        return await listing(request, status=400, error=f"Reply {reply_id} not changed: {invalid}")
    now, by = _now(), viewer_of(request).name
    async with database_of(request).transaction() as session:
        changed = await saved_replies.change(
            session, reply_id, language, title, text, by=by, now=now
        )
        if changed:
            await _audit(session, "saved_reply.change", reply_id, by, now, language)
    if not changed:
        return await listing(request, status=404, error=f"There is no saved reply {reply_id}.")
    return redirect(f"{PREFIX}/saved-replies?notice=changed")


async def remove(request: web.Request) -> web.Response:
    reply_id = _reply_id(request)
    now, by = _now(), viewer_of(request).name
    async with database_of(request).transaction() as session:
        removed = await saved_replies.remove(session, reply_id)
        if removed:
            await _audit(session, "saved_reply.remove", reply_id, by, now, None)
    if not removed:
        return await listing(request, status=404, error=f"There is no saved reply {reply_id}.")
    return redirect(f"{PREFIX}/saved-replies?notice=removed")


async def _audit(
    session: AsyncSession,
    action: str,
    reply_id: int,
    by: str,
    now: dt.datetime,
    language: str | None,
) -> None:
    await audit.record(
        session,
        action,
        {"saved_replies": 1},
        now=now,
        actor=by,
        subject=f"saved_reply:{reply_id}",
        details={"language": language} if language else None,
    )
