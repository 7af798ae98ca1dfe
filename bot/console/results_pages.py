"""The results pages (organizers and admins; an organizer limited to some
consultations sees only theirs): the list of consultations, one
consultation's results with its filters, and each of its tables as CSV."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, replace

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.before_consent import REGION_TIMEZONE
from bot.console import results
from bot.console.guard import reading, reads_only, viewer_of
from bot.console.queue_pages import database_of
from bot.console.rendering import page
from bot.errors import UserError
from flows.loader import parse_flow
from flows.model import Flow
from storage import audit, consultations, openings
from storage import results as figures
from storage.consultations import FlowVersion

_DEPARTEMENT = re.compile(r"(?:[0-9]{2}|2[ABab]|9[78][0-9])")
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


class BadFilter(UserError):
    """A results filter that cannot be read; str() says how to write it."""


@dataclass(frozen=True, slots=True)
class Form:
    """The filters as typed, to show them again."""

    since: str = ""
    until: str = ""
    channel: str = ""
    language: str = ""
    version: str = ""
    departement: str = ""
    source: str = ""


@functools.lru_cache(maxsize=32)
def _flow(definition: str, source: str) -> Flow:
    return parse_flow(definition, source)


def _day(value: str, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadFilter(
            f"the {name} date {value[:20]!r} is not a date: write it YYYY-MM-DD"
        ) from None


def _start_of(day: dt.date) -> dt.datetime:
    """The start of a day in the region (filters speak the region's days)."""
    return dt.datetime.combine(day, dt.time(), REGION_TIMEZONE)


def form_of(query: dict[str, str]) -> Form:
    return Form(**{k: query.get(k, "").strip()[:100] for k in Form.__dataclass_fields__})


def read_filter(consultation_id: str, query: dict[str, str]) -> tuple[figures.ResultFilter, Form]:
    """The filters of a results page's query (BadFilter saying how to fix one)."""
    form = form_of(query)
    since, until = _day(form.since, "from"), _day(form.until, "to")
    if since and until and until < since:
        raise BadFilter("the 'to' date is before the 'from' date: swap them")
    version = None
    if form.version:
        if not form.version.isdigit():
            raise BadFilter(f"the version {form.version!r} is not a number: pick one in the list")
        version = int(form.version)
    if form.departement and not _DEPARTEMENT.fullmatch(form.departement):
        raise BadFilter(
            f"{form.departement!r} is not a département code: two digits (45), 2A/2B, "
            "or three for overseas (974)"
        )
    for name in ("channel", "language", "source"):
        value = getattr(form, name)
        if value and not _SLUG.fullmatch(value):
            raise BadFilter(f"the {name} {value!r} is not one of the list: pick one in the list")
    chosen = figures.ResultFilter(
        consultation_id,
        since=_start_of(since) if since else None,
        until=_start_of(until + dt.timedelta(days=1)) if until else None,
        channel=form.channel or None,
        language=form.language or None,
        version=version,
        departement=form.departement.upper() or None,
        source=form.source or None,
    )
    return chosen, form


async def versions_of(session: AsyncSession, consultation_id: str) -> list[FlowVersion]:
    found = []
    for summary in await consultations.overview(session):
        if summary.id == consultation_id:
            for version in summary.versions:
                found.append(await consultations.get_version(session, version.id))
    return found


def _shown_flow(versions: list[FlowVersion], wanted: int | None) -> FlowVersion:
    """The version whose questions are shown: the one filtered on, else the
    live one, else the latest."""
    for version in versions:
        if version.version == wanted:
            return version
    if wanted is not None:
        raise BadFilter(f"there is no version {wanted}: pick one in the list")
    return next((v for v in versions if v.live), versions[-1])


@reads_only()
async def index(request: web.Request) -> web.Response:
    viewer = viewer_of(request)
    async with reading(request) as session:
        found = [c for c in await consultations.overview(session) if viewer.may_see(c.id)]
    return page(request, "results_index.html", title="Results", consultations=found)


async def gather(
    session: AsyncSession, versions: list[FlowVersion], chosen: figures.ResultFilter
) -> tuple[FlowVersion, Flow, results.ResultsView]:
    """Everything the results page shows for `chosen`: the flow version whose
    questions are shown, its flow, and the figures (BadFilter for a version
    that does not exist)."""
    deployed = _shown_flow(versions, chosen.version)
    flow = _flow(deployed.definition, f"{chosen.consultation_id} v{deployed.version}")
    questions = results.questions_of(flow)
    found = await figures.figures(session, chosen, questions)
    texts = {
        q: await figures.approved_texts(session, chosen, q)
        for q in questions.free_text
        if found.answers.moderation.get(q, {}).get("approved", 0) >= results.MIN_RESIDENTS
    }
    view = results.build(
        flow, flow.languages[0], found.progress, found.funnel, found.answers, texts
    )
    view = replace(view, opened=await _opened(session, chosen))
    return deployed, flow, view


async def _opened(session: AsyncSession, chosen: figures.ResultFilter) -> str:
    """Residents who opened the consultation, counted per day, channel and
    source only (no one is behind those counters): "–" under other filters."""
    if chosen.language or chosen.version is not None or chosen.departement:
        return "–"
    since = chosen.since.astimezone(REGION_TIMEZONE).date() if chosen.since else None
    until = chosen.until.astimezone(REGION_TIMEZONE).date() if chosen.until else None
    opened = await openings.total(
        session,
        chosen.consultation_id,
        since=since,
        until=until - dt.timedelta(days=1) if until else None,
        channel=chosen.channel,
        source=chosen.source,
    )
    return results.shown(results.small(opened))


async def _view(request: web.Request) -> tuple[str, results.ResultsView | None, dict[str, object]]:
    consultation_id = request.match_info["consultation"]
    if not viewer_of(request).may_see(consultation_id):
        raise web.HTTPForbidden(text="you do not organise this consultation")
    context: dict[str, object] = {"consultation": consultation_id}
    # A read-only transaction: on SQLite it takes no write lock, so residents'
    # answers are not kept waiting while the figures are counted.
    async with reading(request) as session:
        versions = await versions_of(session, consultation_id)
        if not versions:
            raise web.HTTPNotFound()
        context["choices"] = await figures.choices(session, consultation_id)
        try:
            chosen, form = read_filter(consultation_id, dict(request.query))
            context["form"] = form
            deployed, flow, view = await gather(session, versions, chosen)
        except BadFilter as error:
            context["form"] = form_of(dict(request.query))  # shown again, to be fixed
            context["error"] = str(error)
            return consultation_id, None, context
    context["shown_version"] = deployed.version
    context["title_text"] = flow.title.get(flow.languages[0])
    return consultation_id, view, context


@reads_only()
async def consultation(request: web.Request) -> web.Response:
    consultation_id, view, context = await _view(request)
    query = request.rel_url.query
    return page(
        request,
        "results.html",
        400 if context.get("error") else 200,
        title=f"Results: {consultation_id}",
        view=view,
        note=results.HIDDEN_NOTE,
        filtered=any(query.get(k) for k in Form.__dataclass_fields__),
        query_string=request.rel_url.query_string,
        **context,
    )


async def export(request: web.Request) -> web.Response:
    consultation_id, view, context = await _view(request)
    if view is None:
        raise web.HTTPBadRequest(text=str(context.get("error")))
    wanted = request.match_info["table"]
    for table in view.tables():
        if table.key == wanted:
            async with database_of(request).transaction() as session:
                await audit.record(
                    session,
                    "results.export",
                    {"rows": len(table.rows)},
                    now=dt.datetime.now(dt.UTC),
                    actor=viewer_of(request).name,
                    subject=f"consultation:{consultation_id}",
                    details={"table": wanted, "filters": request.rel_url.query_string[:500]},
                )
            return web.Response(
                text=results.as_csv(table),
                content_type="text/csv",
                headers={
                    "Content-Disposition": f'attachment; filename="{consultation_id}-{wanted}.csv"'
                },
            )
    raise web.HTTPNotFound()
