"""The resident-facing pages: the full-page chat, the widget's files, and the
health checks that a load balancer or an orchestrator polls."""

from __future__ import annotations

import json
import re
import time
from importlib import resources
from typing import TYPE_CHECKING, Final

import jinja2
from aiohttp import web

from bot.config import Settings
from bot.web.lifecycle import Lifecycle
from bot.web.readiness import other_problems
from flows.catalogue import CATALOGUE
from flows.language import pick_language

if TYPE_CHECKING:
    from bot.flow_catalog import FlowCatalog
    from bot.web.readiness import WriteCheck
    from flows.model import Flow
    from storage.database import Database

_CONSULTATION = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")

_SECURITY_HEADERS: Final = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_STATIC_CACHE: Final = "public, max-age=300"
# A page view looks up its consultation's live flow at most this often: a new
# deployment shows on the pages within that time.
_FLOW_CACHE_S: Final = 30.0
_FLOW_CACHE_SIZE: Final = 256


class Pages:
    def __init__(self, settings: Settings, lifecycle: Lifecycle) -> None:
        self.settings = settings
        self.lifecycle = lifecycle
        self._templates = jinja2.Environment(
            loader=jinja2.PackageLoader("bot.web", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        static = resources.files("bot.web") / "static"
        self._static = {
            name: (static / name).read_bytes() for name in ("widget.js", "widget.css", "page.css")
        }
        self._static["widget.js"] = _with_texts(self._static["widget.js"], settings)
        self._database: Database | None = None
        self._catalog: FlowCatalog | None = None
        self._flows: dict[str, tuple[float, Flow | None]] = {}
        self._writes: WriteCheck | None = None

    def consultations_from(self, database: Database) -> None:
        """Look consultations up in this database (once the service is open)."""
        from bot.flow_catalog import FlowCatalog
        from bot.web.readiness import WriteCheck

        self._database = database
        self._catalog = FlowCatalog()
        self._writes = WriteCheck(database)

    async def default_chat(self, request: web.Request) -> web.Response:
        consultation = self.settings.default_consultation
        return self._chat_page(request, consultation, await self._live_flow(consultation))

    async def chat(self, request: web.Request) -> web.Response:
        consultation = request.match_info["consultation"]
        flow = (
            await self._live_flow(consultation) if _CONSULTATION.fullmatch(consultation) else None
        )
        if flow is None:
            lang = self._language(request, None)
            raise web.HTTPNotFound(text=CATALOGUE.text("page", "not_found", lang))
        return self._chat_page(request, consultation, flow)

    def _chat_page(
        self, request: web.Request, consultation: str, flow: Flow | None
    ) -> web.Response:
        lang = self._language(request, flow)
        text = CATALOGUE.section("page", lang)
        title = flow.title.get(lang) if flow is not None else text["title"]
        html = self._templates.get_template("chat.html").render(
            lang=lang, text=text, title=title, consultation=consultation
        )
        return web.Response(text=html, content_type="text/html", headers=_SECURITY_HEADERS)

    def _language(self, request: web.Request, flow: Flow | None) -> str:
        """?lang= if the consultation speaks it, else the configured default if
        it does, else the consultation's first language (`flows.language`), among
        the languages the text catalogue has."""
        known = CATALOGUE.languages
        spoken = tuple(code for code in flow.languages if code in known) if flow else ()
        return pick_language(
            spoken or known, request.query.get("lang"), self.settings.default_language
        )

    async def title(self, consultation: str | None, lang: str | None) -> str | None:
        """The live title of a consultation (None: the default one) in `lang`,
        or in its first language; None if it is not deployed."""
        flow = await self._live_flow(consultation or self.settings.default_consultation)
        if flow is None:
            return None
        return flow.title.get(lang if lang is not None else flow.languages[0])

    async def _live_flow(self, consultation: str) -> Flow | None:
        if self._database is None or self._catalog is None:
            return None
        now = time.monotonic()
        cached = self._flows.get(consultation)
        if cached is not None and now - cached[0] < _FLOW_CACHE_S:
            return cached[1]
        catalog = self._catalog
        deployed = await catalog.within(
            self._database, lambda session: catalog.live(session, consultation), read_only=True
        )
        flow = deployed.flow if deployed is not None else None
        if len(self._flows) >= _FLOW_CACHE_SIZE:
            self._flows.clear()
        self._flows[consultation] = (now, flow)
        return flow

    async def widget_js(self, request: web.Request) -> web.Response:
        return self._file("widget.js", "text/javascript")

    async def widget_css(self, request: web.Request) -> web.Response:
        return self._file("widget.css", "text/css")

    async def page_css(self, request: web.Request) -> web.Response:
        return self._file("page.css", "text/css")

    def _file(self, name: str, content_type: str) -> web.Response:
        return web.Response(
            body=self._static[name],
            content_type=content_type,
            charset="utf-8",
            headers={"Cache-Control": _STATIC_CACHE, "X-Content-Type-Options": "nosniff"},
        )

    async def favicon(self, request: web.Request) -> web.Response:
        return web.Response(status=204, headers={"Cache-Control": "public, max-age=86400"})

    async def healthz(self, request: web.Request) -> web.Response:
        """The process is alive."""
        return web.json_response({"status": "ok"})

    async def readyz(self, request: web.Request) -> web.Response:
        """The process takes messages: started, not shutting down, and its
        database takes writes (checked by a write, at most every few seconds).
        A channel that cannot work (Telegram refusing the token) is named, but
        the process stays ready: the web chat and REST still take messages, and
        a proxy would otherwise turn every resident away for one channel."""
        if not self.lifecycle.accepting:
            status = "draining" if self.lifecycle.draining else "starting"
            return web.json_response({"status": status}, status=503)
        if self._writes is not None and not await self._writes.takes_writes():
            return web.json_response({"status": self._writes.problem}, status=503)
        problems = other_problems(request.app)
        if problems:
            return web.json_response({"status": "ready", "problems": problems})
        return web.json_response({"status": "ready"})


def _with_texts(widget: bytes, settings: Settings) -> bytes:
    """The widget with its texts (catalogue section `widget`, every language)
    and the default language written in."""
    texts = {lang: dict(CATALOGUE.section("widget", lang)) for lang in CATALOGUE.languages}
    default = CATALOGUE.language(settings.default_language)
    return widget.replace(b"__WIDGET_TEXTS__", json.dumps(texts).encode("ascii")).replace(
        b"__DEFAULT_LANGUAGE__", json.dumps(default).encode("ascii")
    )
