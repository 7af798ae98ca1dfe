"""Follow-ups in the console (organizers and admins; an organizer limited to
some consultations sees only theirs): each consultation's follow-ups with
where their copies stand, a form to write one (a text per language of the
flow, previewed as residents will read it), and "send now".

The work is bot.follow_ups' (the same as `consultbot followups`): texts are
checked against the flow, a stored follow-up is a draft no resident sees,
storing and sending are audited, sending is paced for Telegram and never shows
a copy twice. "Send now" queues the copies before the page answers (from then
on residents who write or open the web chat see it) and hands them out in the
`serve` process; if that process stops, the next start carries on where it
stopped (by one process of the deployment; only follow-ups someone sent), as
`consultbot followups send ID` or "send now" again does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Final

from aiohttp import web

from bot.console.guard import STATE, redirect, viewer_of
from bot.console.inbox_pages import messages_of
from bot.console.queue_pages import database_of
from bot.console.rendering import page
from bot.follow_ups import AUDIT_SEND as AUDIT_SEND  # where the console's tests look
from bot.follow_ups import FollowUpError, FollowUps, Pace
from bot.team_messages import MAX_TEXT_CHARS, TeamMessages, shown_text
from flows.loader import parse_flow
from storage import audit, consultations, follow_ups
from storage.database import Database
from storage.sole_holder import FOLLOW_UP_SENDING, SoleHolder

log = logging.getLogger(__name__)

PREFIX: Final = "/console/follow-ups"
# The latest sends looked at when resuming at start (older ones are long done).
_RESUMED_AT_MOST: Final = 200
NOTICES: Final = {
    "stored": "Stored as a draft: no resident sees it until you press Send now. Then "
    "Telegram residents and open web chats get it at once, the others when they next "
    "write or open the chat.",
    "sending": "Sending: Telegram residents and open web chats get it now, at Telegram's "
    "pace; the others when they next write or open the chat. Reload to see progress.",
    "nobody": "Nothing was sent: no resident has asked for this consultation's follow-ups "
    "(residents are asked only where the flow offers them, with follow_up: true).",
    "already": "Nothing new to send: every resident who asked for the follow-ups has it already.",
    "tested": "Test sent to that conversation only, marked [Test]; the follow-up itself "
    "is unchanged.",
    "untested": "No resident who asked for this consultation's follow-ups has that code: "
    "take the consultation yourself, say yes to the follow-ups, and type the code its "
    "last message gives.",
}
TEST_MARK: Final = "[Test] "
# Sends running in this process, by follow-up: a second click does not start another.
SENDING: Final = web.AppKey("follow_ups_sending", dict[int, "asyncio.Task[None]"])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _service(request: web.Request) -> FollowUps:
    return FollowUps(database_of(request), messages_of(request))


def _consultation(request: web.Request) -> str:
    consultation_id = request.match_info["consultation"]
    if not viewer_of(request).may_see(consultation_id):
        raise web.HTTPForbidden(text="you do not organise this consultation")
    return consultation_id


async def index(request: web.Request) -> web.Response:
    viewer = viewer_of(request)
    sending = request.app[SENDING]
    listed = []
    async with database_of(request).transaction() as session:
        for summary in await consultations.overview(session):
            if not viewer.may_see(summary.id):
                continue
            found = await follow_ups.of_consultation(session, summary.id)
            progress = await follow_ups.progress_of(session, [f.id for f in found])
            listed.append((summary, [(f, progress[f.id]) for f in found]))
    return page(
        request,
        "follow_ups.html",
        title="Follow-ups",
        listed=listed,
        sending={k for k, task in sending.items() if not task.done()},
        notice=NOTICES.get(request.query.get("notice", "")),
    )


async def new(request: web.Request) -> web.Response:
    consultation_id = _consultation(request)
    languages = await _languages(request, consultation_id)
    return _form(request, consultation_id, languages, {})


async def write(request: web.Request) -> web.Response:
    """Preview the texts, or store the follow-up (`action=store`)."""
    consultation_id = _consultation(request)
    languages = await _languages(request, consultation_id)
    form = await request.post()
    texts = {
        language: str(form.get(f"text_{language}", ""))[: MAX_TEXT_CHARS + 1]
        for language in languages
    }
    author = viewer_of(request).name
    if form.get("action") != "store":
        return _form(request, consultation_id, languages, texts, preview=True)
    try:
        await _service(request).create(consultation_id, texts, author, _now())
    except FollowUpError as wrong:
        return _form(request, consultation_id, languages, texts, error=str(wrong), status=400)
    return redirect(f"{PREFIX}?notice=stored")


async def send(request: web.Request) -> web.Response:
    consultation_id = _consultation(request)
    follow_up_id = _number(request.match_info["follow_up"])
    async with database_of(request).read() as session:
        found = None if follow_up_id is None else await follow_ups.get(session, follow_up_id)
    if found is None or found.consultation_id != consultation_id:
        raise web.HTTPNotFound(text="there is no such follow-up")
    service = _service(request)
    try:  # the copies are queued (and the send audited) before the page answers
        queued = await service.release(found.id, viewer_of(request).name, _now())
    except FollowUpError as gone:
        raise web.HTTPNotFound(text=str(gone)) from None
    progress = await service.progress(found.id)
    if progress.total == 0:
        return redirect(f"{PREFIX}?notice=nobody")
    if queued == 0 and progress.waiting == 0:
        return redirect(f"{PREFIX}?notice=already")
    sending = request.app[SENDING]  # new copies, or ones a stopped send left waiting
    running = sending.get(found.id)
    if running is None or running.done():
        sending[found.id] = asyncio.create_task(_send(service, found.id))
    return redirect(f"{PREFIX}?notice=sending")


async def test(request: web.Request) -> web.Response:
    """Send a follow-up to one conversation as a test: the organizer took the
    consultation themselves, asked for its follow-ups, and gives the receipt
    code its last message gave them. Only residents who asked for the
    follow-ups can be reached this way."""
    consultation_id = _consultation(request)
    follow_up_id = _number(request.match_info["follow_up"])
    form = await request.post()
    typed = str(form.get("code", ""))[:40]
    async with database_of(request).read() as session:
        found = None if follow_up_id is None else await follow_ups.get(session, follow_up_id)
        if found is None or found.consultation_id != consultation_id:
            raise web.HTTPNotFound(text="there is no such follow-up")
        followers = await follow_ups.completed_by_followers(session, consultation_id)
    receipts = request.app[STATE].receipts
    if receipts is None:
        raise web.HTTPServiceUnavailable(text="the console is starting; try again in a moment")
    target = next((f for f in followers if receipts.is_code_of(typed, consultation_id, f[0])), None)
    if target is None:
        return redirect(f"{PREFIX}?notice=untested")
    session_id, language = target
    texts = found.texts
    text = texts.get(language or "") or next(iter(texts.values()))
    author = viewer_of(request).name
    await messages_of(request).reply(session_id, TEST_MARK + text, author, _now())
    return redirect(f"{PREFIX}?notice=tested")


async def _send(service: FollowUps, follow_up_id: int) -> None:
    try:
        progress = await service.send(follow_up_id, now=_now, pace=Pace())
    except Exception:  # the console stays up; `send` again resumes
        log.exception("follow-up %d: sending stopped", follow_up_id)
        return
    log.info("follow-up %d: %d of %d delivered", follow_up_id, progress.delivered, progress.total)


async def resume_sending(console: web.Application, database: Database, team: TeamMessages) -> None:
    """At start: follow-ups someone sent (in the audit log, with their copies
    queued in the same transaction) whose Telegram copies still wait, sent on
    where they stopped (a restart, a crash); by one process of the deployment.
    A draft has no copies: it stays one."""
    sole = SoleHolder(database, FOLLOW_UP_SENDING)
    if not await sole.held():
        return  # another process resumes them
    try:
        async with database.read() as session:
            asked = await audit.recent(session, action=AUDIT_SEND, limit=_RESUMED_AT_MOST)
            ids = sorted({int(r.subject.partition(":")[2]) for r in asked if r.subject})
            unfinished = await follow_ups.with_queued_copies(session, ids, "telegram")
        for follow_up_id in unfinished:
            log.info("follow-up %d: sending resumed", follow_up_id)
            await _send(FollowUps(database, team), follow_up_id)
    finally:
        await sole.release()


def start_resuming(console: web.Application, database: Database, team: TeamMessages) -> None:
    """`resume_sending` in the background, stopped with the others on shutdown."""
    console[SENDING][0] = asyncio.create_task(resume_sending(console, database, team))


async def stop_sending(app: web.Application) -> None:
    """On shutdown: what was not sent yet waits for `send` again."""
    for task in app[SENDING].values():
        task.cancel()
    await asyncio.gather(*app[SENDING].values(), return_exceptions=True)


async def _languages(request: web.Request, consultation_id: str) -> tuple[str, ...]:
    async with database_of(request).transaction() as session:
        version = await consultations.live_version(session, consultation_id)
    if version is None:
        raise web.HTTPNotFound(text=f"no consultation {consultation_id} is deployed")
    flow = await asyncio.to_thread(parse_flow, version.definition, consultation_id)
    return flow.languages or ("fr",)


def _form(
    request: web.Request,
    consultation_id: str,
    languages: tuple[str, ...],
    texts: dict[str, str],
    *,
    preview: bool = False,
    error: str | None = None,
    status: int = 200,
) -> web.Response:
    previews = (
        [(language, shown_text(texts[language], language)) for language in languages]
        if preview and all(texts.get(language, "").strip() for language in languages)
        else []
    )
    if preview and not previews:
        error = "Write a text in every language to see how residents will read it."
    return page(
        request,
        "follow_up_form.html",
        status,
        title=f"A follow-up of {consultation_id}",
        consultation=consultation_id,
        languages=languages,
        texts=texts,
        previews=previews,
        max_text=MAX_TEXT_CHARS,
        error=error,
    )


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 18 else None
