"""Who may do what in the console, checked once for every request.

Each route is declared with its access (`ConsoleRoutes`): public (signing in,
the one-time link, the static files), a step of signing in (one-time code), or
the roles allowed. A route declared without access does not exist for anyone.
The middleware, in order:

- refuses an unsafe request (POST) that says it comes from another site
  (`Sec-Fetch-Site: cross-site|same-site`, or an `Origin` of another host);
- finds the session of the cookie (a random token; the row holds its hash),
  for a page that only reads (`reads_only`) in the one read-only transaction
  of the whole request;
- sends a visitor without a (complete) session to the sign-in page;
- answers 403 to a role without the right;
- refuses a POST without the session's CSRF token (anonymous forms carry a
  token also set as a cookie, compared with it);
- answers a handler's refusal (an HTTP error it raises: no such answer, not
  your consultation, a date that cannot be read) with the console's page
  saying it, with the same status, instead of aiohttp's bare text;
- adds the security headers (a strict Content-Security-Policy among them);
- answers a request the database could not serve (unreachable, read-only,
  full, busy) with a page saying that nothing changed and to try again, and
  logs one line, not a traceback.
"""

from __future__ import annotations

import enum
import hmac
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final
from urllib.parse import quote, urlsplit

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.console.accounts import CODE, ENROL, FULL, UPKEEP_NONE, Accounts, Viewer
from storage.errors import (
    DatabaseBusy,
    DatabaseFull,
    DatabaseReadOnly,
    DatabaseTimedOut,
    DatabaseUnavailable,
    SchemaOutOfDate,
)
from storage.models import ConsoleRole

if TYPE_CHECKING:
    from bot.receipts import Receipts
    from bot.team_messages import TeamMessages

log = logging.getLogger(__name__)

COOKIE: Final = "consultbot_console"
FORM_COOKIE: Final = "consultbot_console_form"
PREFIX: Final = "/console"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

HEADERS: Final = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class Stage(enum.Enum):
    PUBLIC = "public"  # anyone
    SIGNING_IN = "signing_in"  # a session still owing its one-time code
    SIGNED_IN = "signed_in"  # a complete session, any role


@dataclass(frozen=True, slots=True)
class Access:
    stage: Stage
    roles: frozenset[ConsoleRole] = frozenset(ConsoleRole)

    @property
    def public(self) -> bool:
        return self.stage is Stage.PUBLIC


PUBLIC: Final = Access(Stage.PUBLIC)
SIGNING_IN: Final = Access(Stage.SIGNING_IN)
ANYONE: Final = Access(Stage.SIGNED_IN)
MODERATORS: Final = Access(Stage.SIGNED_IN, frozenset({ConsoleRole.MODERATOR, ConsoleRole.ADMIN}))
ORGANIZERS: Final = Access(Stage.SIGNED_IN, frozenset({ConsoleRole.ORGANIZER, ConsoleRole.ADMIN}))
ADMINS: Final = Access(Stage.SIGNED_IN, frozenset({ConsoleRole.ADMIN}))


class ConsoleState:
    """What the console's handlers share: its settings, and its accounts once
    the database is open."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.accounts: Accounts | None = None
        self.team_messages: TeamMessages | None = None
        self.receipts: Receipts | None = None  # residents' receipt codes, once open
        self.access: dict[web.AbstractRoute, Access] = {}


STATE: Final = web.AppKey("console_state", ConsoleState)
VIEWER: Final = web.RequestKey("console_viewer", Viewer)
FORM_TOKEN: Final = web.RequestKey("console_form_token", str)
# What a form too large is told its limit is, where a page has its own
# (bot.console.flow_pages: a flow's size); otherwise the request size.
FORM_LIMIT: Final = web.RequestKey("console_form_limit", str)
# How many residents wait for a person (bot.console.inbox_pages), for the navigation.
WAITING: Final = web.RequestKey("console_waiting", int)
# The read-only transaction of a `reads_only` page's request.
READ: Final = web.RequestKey("console_read", AsyncSession)
_READS_ONLY: Final = "console_reads_only"


def reads_only(
    when: Callable[[web.Request], bool] | None = None,
) -> Callable[[Handler], Handler]:
    """Marks a GET handler that only reads the database: the guard then opens
    one read-only transaction (`Database.read`) for the whole request, in which
    the session of the cookie is looked up, the navigation's count made and
    the page's own queries run (`reading`): one transaction instead of three.
    `when`: only for the requests it accepts (say, not those that must write
    first); the others look the session up apart, as any page."""

    def mark(handler: Handler) -> Handler:
        setattr(handler, _READS_ONLY, when or (lambda _: True))
        return handler

    return mark


@asynccontextmanager
async def reading(request: web.Request) -> AsyncIterator[AsyncSession]:
    """The request's read-only transaction (`reads_only`), or one of its own."""
    found = request.get(READ)
    if found is not None:
        yield found
        return
    async with accounts_of(request).database.read() as session:
        yield session


class ConsoleRoutes:
    """Adds routes with their access; what the middleware and the tests read."""

    def __init__(self, app: web.Application) -> None:
        self._router = app.router
        self.access = app[STATE].access

    def get(self, path: str, handler: Handler, access: Access) -> None:
        self.access[self._router.add_get(path, handler, allow_head=False)] = access

    def post(self, path: str, handler: Handler, access: Access) -> None:
        self.access[self._router.add_post(path, handler)] = access


def accounts_of(request: web.Request) -> Accounts:
    found = request.app[STATE].accounts
    if found is None:
        raise web.HTTPServiceUnavailable(text="the console is starting; try again in a moment")
    return found


def viewer_of(request: web.Request) -> Viewer:
    found = request.get(VIEWER)
    assert isinstance(found, Viewer), "a signed-in route without a viewer"
    return found


def maybe_viewer(request: web.Request) -> Viewer | None:
    return request.get(VIEWER)


def csrf_token(request: web.Request) -> str:
    """The token the page's forms carry: the session's, or for anonymous forms
    the one of the form cookie (set on the response if new)."""
    viewer = maybe_viewer(request)
    if viewer is not None:
        return viewer.session.csrf_token
    token = request.get(FORM_TOKEN)
    if token is None:
        token = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(32)
        request[FORM_TOKEN] = token
    return token


def safe_back(target: str | None, default: str = f"{PREFIX}/queue") -> str:
    """A console path to return to, never another site."""
    if not target or not target.startswith(f"{PREFIX}/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 32 for c in target):
        return default
    return target


def _cross_site(request: web.Request) -> bool:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    if origin == "null":
        return True
    return urlsplit(origin).netloc.lower() != (request.host or "").lower()


def _is_secure(request: web.Request, public_url: str | None) -> bool:
    return request.secure or bool(public_url and public_url.startswith("https://"))


def set_cookie(response: web.StreamResponse, request: web.Request, name: str, value: str) -> None:
    public_url = request.app[STATE].settings.server.public_url
    response.set_cookie(
        name,
        value,
        path=f"{PREFIX}/",
        httponly=True,
        samesite="Strict",
        secure=_is_secure(request, public_url),
    )


async def _submitted_token(request: web.Request) -> str:
    header = request.headers.get("X-CSRF-Token")
    if header:
        return header
    form = await request.post()
    value = form.get("csrf")
    return value if isinstance(value, str) else ""


def _same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def redirect(target: str) -> web.Response:
    """303 See Other: after a form, the browser GETs `target`."""
    return web.Response(status=303, headers={"Location": target})


def _to_sign_in(request: web.Request) -> web.HTTPSeeOther:
    back = quote(request.path_qs, safe="") if request.method == "GET" else ""
    return web.HTTPSeeOther(f"{PREFIX}/login" + (f"?next={back}" if back else ""))


_TITLES = {400: "Not understood", 404: "Not found", 405: "Not found", 503: "Unavailable"}
# What a refusal raised without words of its own says.
_SAID = {
    403: "You do not have access to this page.",
    404: "There is no such page.",
    405: "There is no such page.",
}


def _said(error: web.HTTPException) -> str:
    """The refusal's own words as a sentence, or what its status means."""
    text = error.text or ""
    if not text or text == f"{error.status}: {error.reason}":  # aiohttp's default
        return _SAID.get(error.status, f"{error.reason}.")
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def refusal(request: web.Request, status: int, message: str) -> web.Response:
    return aiohttp_jinja2.render_template(
        "refused.html",
        request,
        {
            "message": message,
            "viewer": maybe_viewer(request),
            "csrf": csrf_token(request),
            "title": _TITLES.get(status, "Refused"),
        },
        status=status,
    )


# The database cannot serve the request now; nothing it was to change changed.
_OUTAGES = (
    DatabaseUnavailable,
    DatabaseBusy,
    DatabaseFull,
    DatabaseReadOnly,
    DatabaseTimedOut,
    SchemaOutOfDate,
)
_OUTAGE = (
    "The database cannot take this request at the moment: nothing was changed. "
    "Try again in a minute; if it lasts, tell whoever runs consultbot."
)


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await _guarded(request, handler)
    except web.HTTPException as error:
        if error.status < 400:  # a redirection: as it is
            raise
        # A handler's refusal, on the console's page (its layout, a way back).
        response = refusal(request, error.status, _said(error))
    except _OUTAGES as error:
        # One line for whoever runs it (the traceback when debugging), a page
        # for the moderator.
        log.error("console: %s %s not served: %s", request.method, request.path, error)
        log.debug("storage failure", exc_info=True)
        response = refusal(request, 503, _OUTAGE)
    response.headers.update(HEADERS)
    token = request.get(FORM_TOKEN)
    if token is not None and request.cookies.get(FORM_COOKIE) != token:
        set_cookie(response, request, FORM_COOKIE, token)
    return response


async def _guarded(request: web.Request, handler: Handler) -> web.StreamResponse:
    route = request.match_info.route
    access = request.app[STATE].access.get(route)
    if access is None:  # not found, or a route nobody declared: the same to everyone
        return await handler(request)  # aiohttp's own 404/405, made a page by `guard`
    unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
    if unsafe and _cross_site(request):
        return refusal(request, 403, "Refused: this form was sent from another site.")
    cookie = request.cookies.get(COOKIE) or ""
    accounts = request.app[STATE].accounts
    when = getattr(request.match_info.handler, _READS_ONLY, None)
    if not unsafe and accounts is not None and when is not None and when(request):
        # One read-only transaction for the whole request (reads_only).
        upkeep = UPKEEP_NONE
        try:
            async with accounts.database.read() as session:
                request[READ] = session
                viewer = None
                if cookie:
                    viewer, upkeep = await accounts.viewer_in(session, cookie)
                return await _checked(request, handler, access, viewer)
        finally:
            request.pop(READ, None)
            await accounts.keep(cookie, upkeep)
    viewer = await accounts_of(request).viewer(cookie) if cookie else None
    return await _checked(request, handler, access, viewer)


async def _checked(
    request: web.Request, handler: Handler, access: Access, viewer: Viewer | None
) -> web.StreamResponse:
    if viewer is not None:
        request[VIEWER] = viewer
    if not access.public:
        if viewer is None:
            raise _to_sign_in(request)
        stage = viewer.session.stage
        if access.stage is Stage.SIGNING_IN:
            if stage not in (CODE, ENROL, FULL):
                raise _to_sign_in(request)
        elif stage != FULL:
            raise web.HTTPSeeOther(f"{PREFIX}/login/code" if stage == CODE else f"{PREFIX}/2fa")
        elif viewer.role not in access.roles:
            return refusal(request, 403, "Your role does not give access to this page.")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        expected = viewer.session.csrf_token if viewer else request.cookies.get(FORM_COOKIE, "")
        try:
            submitted = await _submitted_token(request)
        except web.HTTPRequestEntityTooLarge:
            return refusal(
                request, 413, f"Refused: the form is too large ({_form_limit(request)})."
            )
        if not _same(submitted, expected):
            return refusal(
                request,
                403,
                "Refused: the form had expired or was not sent from this console. "
                "Reload the page and try again.",
            )
    return await handler(request)


def _form_limit(request: web.Request) -> str:
    """The limit the form went past, in the words a person reads."""
    said: str | None = request.get(FORM_LIMIT)
    if said is not None:
        return said
    size = request.client_max_size
    if size >= 1024 * 1024:
        return f"at most {size / (1024 * 1024):g} MB"
    return f"at most {size / 1024:g} KB"


def public_paths(access: dict[web.AbstractRoute, Access]) -> Iterable[str]:
    for route, declared in access.items():
        if declared.public:
            info = route.resource.get_info() if route.resource else {}
            yield str(info.get("path") or info.get("formatter"))
