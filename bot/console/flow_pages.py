"""Flows in the console (organizers and admins; an organizer limited to some
consultations sees and deploys only theirs): the consultations with their
versions and dates, and a flow file to paste or upload, checked as
`consultbot flows validate` checks it (bot.flow_check: every problem next to
its line), previewed as `consultbot flows show` prints it (bot.flow_preview),
tried in the simulator (bot.console.flow_simulator) and deployed as
`consultbot flows deploy` deploys it (bot.deployment: refused whole if
invalid, conversations in progress keep their version, audited with the
organizer's e-mail). Versions, diffs and dates: bot.console.flow_history_pages.

The uploaded text travels in the page's forms (a hidden field), never stored
until deployed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import Final

from aiohttp import web
from multidict import MultiDictProxy

from bot.console.guard import FORM_LIMIT, Handler, redirect, viewer_of
from bot.console.queue_pages import database_of
from bot.console.rendering import page
from bot.deployment import deploy_text
from bot.flow_check import FlowCheck, check_bytes
from bot.flow_preview import FlowPrinter
from flows.errors import FlowProblem
from flows.loader import MAX_FILE_BYTES, parse_flow
from flows.model import Flow
from storage import consultations

PREFIX: Final = "/console/flows"
PASTED: Final = "pasted text"
CONTEXT_LINES: Final = 2  # lines shown around a problem's
# Parsed deployed versions, by id (for their dates): versions never change.
PARSED: Final = web.AppKey("console_parsed_flows", dict[int, Flow])
Form = MultiDictProxy[str | bytes | bytearray | web.FileField]
# A flow of up to 1 MB, uploaded and pasted, or sent on (its lines ending in CRLF).
MAX_FORM_BYTES: Final = 4 * MAX_FILE_BYTES
FLOW_FORMS: Final = frozenset(f"{PREFIX}/{name}" for name in ("new", "simulate", "deploy"))


@web.middleware
async def larger_forms(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The flow forms may carry more than the server's usual request size."""
    if request.method == "POST" and request.path in FLOW_FORMS:
        request = request.clone(client_max_size=MAX_FORM_BYTES)
        request[FORM_LIMIT] = "a flow is at most 1 MB"
    return await handler(request)


@dataclass(frozen=True, slots=True)
class SourceLine:
    number: int
    text: str
    problems: tuple[str, ...]


async def index(request: web.Request) -> web.Response:
    viewer = viewer_of(request)
    async with database_of(request).transaction() as session:
        listed = [c for c in await consultations.overview(session) if viewer.may_see(c.id)]
    dates = {c.id: await dates_of(request, c) for c in listed}
    return page(request, "flows.html", title="Flows", listed=listed, dates=dates)


async def new(request: web.Request) -> web.Response:
    return checked_page(request, None)


async def check(request: web.Request) -> web.Response:
    """A pasted or uploaded flow, checked: its problems, or its preview."""
    form = await request.post()
    upload = form.get("file")
    if isinstance(upload, web.FileField) and upload.filename:
        with upload.file:
            raw = upload.file.read(MAX_FILE_BYTES + 1)
        source = _source_name(upload.filename)
    else:
        raw = form_text(form).encode("utf-8")
        source = PASTED
    checked = await asyncio.to_thread(check_bytes, raw, source)
    return checked_page(request, checked, status=200 if checked.flow else 400)


async def deploy(request: web.Request) -> web.Response:
    _, checked = await form_flow(request)
    if checked.flow is None or checked.text is None:
        return checked_page(request, checked, status=400)
    source = checked.source
    viewer = viewer_of(request)
    if not viewer.may_see(checked.flow.id):
        error = (
            f"You do not organise '{checked.flow.id}': nothing was deployed. "
            "An administrator can give you this consultation."
        )
        return checked_page(request, checked, error=error, status=403)
    result = await deploy_text(
        database_of(request),
        checked.text,
        f"console: {source}",
        now=dt.datetime.now(dt.UTC),
        deployed_by=viewer.name,
    )
    notice = "deployed" if result.changed else "unchanged"
    return redirect(f"{PREFIX}/{result.consultation_id}?notice={notice}")


def checked_page(
    request: web.Request,
    checked: FlowCheck | None,
    *,
    transcript: list[tuple[str, str]] | None = None,
    said: list[str] | None = None,
    language: str | None = None,
    today: dt.date | None = None,
    error: str | None = None,
    status: int = 200,
) -> web.Response:
    flow = checked.flow if checked else None
    text = (checked.text if checked else None) or ""
    problems = checked.problems if checked else ()
    return page(
        request,
        "flow_upload.html",
        status,
        title="Check and deploy a flow",
        check=checked,
        text=text,
        source=checked.source if checked else PASTED,
        problems=[str(problem) for problem in problems],
        lines=excerpt(text, problems),
        preview=None if flow is None else FlowPrinter(flow, flow.languages).render(),
        transcript=transcript or [],
        said=said or [],
        language=language or (flow.languages[0] if flow else ""),
        today=today,
        error=error,
    )


def excerpt(text: str, problems: tuple[FlowProblem, ...]) -> list[SourceLine | None]:
    """The lines of `text` around its problems' (None: lines left out), each
    line with the problems found on it, as `flows validate` words them."""
    found: dict[int, list[str]] = {}
    for problem in problems:
        if problem.line is not None:
            found.setdefault(problem.line, []).append(str(problem))
    if not found:
        return []
    lines = text.split("\n")
    shown = sorted(
        {
            number
            for line in found
            for number in range(line - CONTEXT_LINES, line + CONTEXT_LINES + 1)
            if 1 <= number <= len(lines)
        }
    )
    result: list[SourceLine | None] = []
    for index, number in enumerate(shown):
        if index and number != shown[index - 1] + 1:
            result.append(None)
        result.append(SourceLine(number, lines[number - 1], tuple(found.get(number, ()))))
    return result


async def dates_of(
    request: web.Request, summary: consultations.ConsultationSummary
) -> tuple[dt.date | None, dt.date | None, bool]:
    """Opening and closing dates residents are held to, and whether they
    were set in the console (else the live version's file's)."""
    if summary.dates is not None:
        return summary.dates.opens, summary.dates.closes, True
    live = summary.live
    if live is None:
        return None, None, False
    flow = await live_flow(request, live.id)
    return flow.opens, flow.closes, False


async def live_flow(request: web.Request, version_id: int) -> Flow:
    parsed = request.app[PARSED]
    flow = parsed.get(version_id)
    if flow is None:
        async with database_of(request).transaction() as session:
            version = await consultations.get_version(session, version_id)
        source = f"{version.consultation_id} v{version.version}"
        flow = await asyncio.to_thread(parse_flow, version.definition, source)
        if len(parsed) >= 64:
            parsed.clear()
        parsed[version_id] = flow
    return flow


async def form_flow(request: web.Request) -> tuple[Form, FlowCheck]:
    """A form carrying a flow on (simulate, deploy), and the flow checked again."""
    form = await request.post()
    text = form_text(form).encode("utf-8")
    return form, await asyncio.to_thread(check_bytes, text, form_source(form))


def form_text(form: Form) -> str:
    """The flow's text from a form; a browser sends its lines ending with CRLF."""
    return str(form.get("text", "")).replace("\r\n", "\n")


def form_source(form: Form) -> str:
    return _source_name(str(form.get("source", PASTED)))


def _source_name(name: str) -> str:
    """A file name to show in messages (the browser's, without any folder)."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    cleaned = "".join(c for c in name if c.isprintable())[:80]
    return cleaned or PASTED
