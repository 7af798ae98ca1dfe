"""The routes of the pull API, each with the scope its token needs.

    GET /api/v1/consultations                                  contributions:read
    GET /api/v1/consultations/{id}/contributions?after=&limit=  contributions:read
    GET /api/v1/events?after=&limit=&type=                      events:read
    GET /api/v1/openapi.json                                    any valid token

Pages are {data, next_cursor, has_more}: keep `next_cursor` and pass it as
`after` to the same feed to get what came since; a cursor never skips a row
committed late, and another feed refuses it (bot.api.cursors).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.api import cursors
from bot.api.access import authenticate, bearer, limit
from bot.api.errors import ApiError, error_response
from bot.api.openapi import document
from bot.api.serializer import (
    Json,
    PublicIds,
    answer_ids,
    consultation_json,
    contribution_json,
    public_event,
    unreadable_consultation_json,
    unreadable_contribution_json,
)
from bot.api.vocabulary import CONTRIBUTIONS_READ, EVENT_TYPES, EVENT_UNREADABLE, EVENTS_READ
from bot.contributions import from_stored
from bot.flow_catalog import FlowCatalog, FlowNotParsed
from bot.pseudonyms import Pseudonymizer
from bot.rate_limits import RateLimiter
from flows.errors import FlowError
from storage import answers, consultations, contributions, outbox
from storage.consultations import FlowVersion
from storage.contributions import StoredContribution
from storage.database import Database
from storage.errors import StorageError
from storage.outbox import FeedEvent

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
EVENTS_FEED = "events"  # a consultation's contributions: "contributions/<id>"

Handler = Callable[["Api", web.Request], Awaitable[Any]]
T = TypeVar("T")
# The flow versions of a request this server cannot read, by id.
Unreadable = dict[int, FlowVersion]


@dataclass(frozen=True, slots=True)
class ApiRoute:
    path: str
    scope: str | None  # None: any valid token
    handler: Handler


class Api:
    """The API's handlers on one database."""

    def __init__(self, database: Database, pseudonyms: Pseudonymizer, limiter: RateLimiter) -> None:
        self.database = database
        self.limiter = limiter
        self._ids = PublicIds(pseudonyms)
        self._catalog = FlowCatalog()

    async def consultations(self, request: web.Request) -> Any:
        async def read(session: AsyncSession, unreadable: Unreadable) -> list[Json]:
            listed = []
            for v in await consultations.live_versions(session):
                if v.id in unreadable:
                    listed.append(unreadable_consultation_json(v))
                    continue
                # dated: the opening and closing dates residents are held to,
                # those set in the console since the deployment if any.
                flow = await self._catalog.version(session, v.id, dated=True)
                listed.append(consultation_json(flow, v.deployed_at))
            return listed

        return {"data": await self._reading(request, read)}

    async def contributions(self, request: web.Request) -> Any:
        consultation_id = request.match_info["consultation"]
        feed = f"contributions/{consultation_id}"
        after = cursors.decode(request.query.get("after"), feed)
        limit = _limit(request)

        async def read(
            session: AsyncSession, unreadable: Unreadable
        ) -> tuple[list[StoredContribution], Any, Any]:
            if await consultations.live_version(session, consultation_id) is None:
                raise ApiError(
                    404,
                    "unknown_consultation",
                    f"there is no consultation {consultation_id!r}: "
                    f"GET {PREFIX}/consultations lists them",
                )
            rows = await contributions.page(
                session, consultation_id, after_position=after, limit=limit + 1
            )
            page = rows[:limit]
            current = await contributions.answers_of(session, page)
            needed = {row.flow_version_id for row in page} - unreadable.keys()
            flows = {v: await self._catalog.version(session, v) for v in needed}
            return rows, current, flows

        # A read: on SQLite it takes no write lock, so residents' answers never wait for it.
        unreadable: Unreadable = {}
        rows, current, flows = await self._reading(request, read, unreadable)
        page = rows[:limit]
        data = [
            unreadable_contribution_json(row, unreadable[row.flow_version_id].version, self._ids)
            if row.flow_version_id in unreadable
            else contribution_json(
                from_stored(row, flows[row.flow_version_id], current[row.session_id]), self._ids
            )
            for row in page
        ]
        last = page[-1].position if page else after
        return {
            "data": data,
            "next_cursor": cursors.encode(last, feed),
            "has_more": len(rows) > limit,
        }

    async def _reading(
        self,
        request: web.Request,
        work: Callable[[AsyncSession, Unreadable], Awaitable[T]],
        unreadable: Unreadable | None = None,
    ) -> T:
        """`work` in a read with every flow version it needs read (as
        `FlowCatalog.within`), save that one this server cannot read (its
        definition edited by hand) fails no page: it is added to `unreadable`
        for `work` to give what it can in its place, and one log line names it."""
        unreadable = {} if unreadable is None else unreadable
        while True:
            try:
                async with self.database.read() as session:
                    return await work(session, unreadable)
            except FlowNotParsed as missing:  # nothing was written: a read
                version = missing.version
                try:
                    await self._catalog.read(version)
                except FlowError as error:
                    unreadable[version.id] = version
                    log.error(
                        "API %s %s: flow version %d (%s v%d) cannot be read, given as "
                        "unreadable: %s",
                        request.method,
                        request.path,
                        version.id,
                        version.consultation_id,
                        version.version,
                        str(error).splitlines()[0][:200],
                    )

    async def events(self, request: web.Request) -> Any:
        after = cursors.decode(request.query.get("after"), EVENTS_FEED)
        limit = _limit(request)
        types = _types(request)
        async with self.database.read() as session:
            rows = await outbox.feed(session, after_position=after, limit=limit + 1, types=types)
            page = rows[:limit]
            sessions_of = await answers.sessions_of(session, answer_ids(page))
        data = [self._event(request, event, sessions_of) for event in page]
        last = page[-1].position if page else after
        return {
            "data": data,
            "next_cursor": cursors.encode(last, EVENTS_FEED),
            "has_more": len(rows) > limit,
        }

    def _event(
        self, request: web.Request, event: FeedEvent, sessions_of: dict[int, int]
    ) -> dict[str, Any]:
        public, unreadable = public_event(event, self._ids, sessions_of)
        if unreadable is not None:
            log.error(
                "API %s %s: event %d (%s) cannot be read, given as %s: %s",
                request.method,
                request.path,
                event.id,
                public["id"],
                EVENT_UNREADABLE,
                unreadable,
            )
        return public

    async def openapi(self, request: web.Request) -> Any:
        return document()


ROUTES: Final = (
    ApiRoute(f"{PREFIX}/consultations", CONTRIBUTIONS_READ, Api.consultations),
    ApiRoute(
        f"{PREFIX}/consultations/{{consultation}}/contributions",
        CONTRIBUTIONS_READ,
        Api.contributions,
    ),
    ApiRoute(f"{PREFIX}/events", EVENTS_READ, Api.events),
    ApiRoute(f"{PREFIX}/openapi.json", None, Api.openapi),
)


def _limit(request: web.Request) -> int:
    raw = request.query.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    # ASCII digits only: str.isdigit takes "²", which int() refuses, and "５",
    # which it reads; a length bound keeps int() within what it converts.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(400, "invalid_limit", f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(raw)


def _types(request: web.Request) -> list[str] | None:
    """The types asked for; None: every event stored, those of a type this
    version does not know included (as event.unreadable, in their place)."""
    raw = request.query.get("type")
    if raw is None:
        return None
    wanted = [part.strip() for part in raw.split(",") if part.strip()]
    unknown = [name for name in wanted if name not in EVENT_TYPES]
    if unknown or not wanted:
        raise ApiError(
            400,
            "invalid_type",
            f"unknown event type {', '.join(unknown) or '(none)'}; known: {', '.join(EVENT_TYPES)}",
        )
    return wanted


READS: Final = ("GET", "HEAD")


def install_api(app: web.Application, api_of: Callable[[web.Application], Api]) -> None:
    """Add the API's routes; `api_of` gives the Api once the app has started.
    Every method reaches them, so that even one the API does not take gets its
    JSON answer (405) rather than aiohttp's text."""
    for route in ROUTES:
        app.router.add_route("*", route.path, _guarded(route, api_of))
    # Anything else under /api/ is a JSON 404, after the same token check.
    app.router.add_route("*", "/api/{tail:.*}", _guarded(ApiRoute("", None, _not_found), api_of))


def _not_allowed(method: str) -> ApiError:
    return ApiError(
        405,
        "method_not_allowed",
        f"this API only reads: send GET, not {method}",
        {"Allow": ", ".join(READS)},
    )


async def _not_found(api: Api, request: web.Request) -> Any:
    raise ApiError(404, "not_found", f"no such API route; see {PREFIX}/openapi.json")


def _guarded(
    route: ApiRoute, api_of: Callable[[web.Application], Api]
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            api = api_of(request.app)
            token = await authenticate(api.database, bearer(request), route.scope)
            await limit(api.limiter, token)
            if route.path and request.method not in READS:  # unknown paths: their 404
                raise _not_allowed(request.method)
            body = await route.handler(api, request)
        except ApiError as error:
            return error.response()
        except StorageError as error:
            # One line for whoever runs it; the traceback when debugging.
            log.error("API %s %s not served: %s", request.method, request.path, error)
            log.debug("storage failure", exc_info=True)
            return error_response(
                503, "unavailable", "the database is unavailable: try again in a moment"
            )
        except Exception as error:
            # A client gets JSON whatever fails; whoever runs it one line (the
            # first of the error's, which may be long), the traceback when debugging.
            first_line = str(error).splitlines()[0][:200] if str(error) else ""
            log.error(
                "API %s %s failed: %s: %s",
                request.method,
                request.path,
                type(error).__name__,
                first_line,
            )
            log.debug("unexpected failure", exc_info=True)
            return error_response(
                500,
                "internal_error",
                "the server failed to answer; the failure is logged: try again later, "
                "or tell whoever runs this server if it persists",
            )
        return web.Response(
            body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
            content_type="application/json",
        )

    return handle
