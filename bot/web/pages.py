"""The resident-facing pages: the full-page chat, the widget's files, and the
health checks that a load balancer or an orchestrator polls."""

from __future__ import annotations

import re
from importlib import resources
from typing import Final

import jinja2
from aiohttp import web

from bot.config import Settings
from bot.web.lifecycle import Lifecycle

_CONSULTATION = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
LANGUAGES: Final = ("fr", "en")

# Strings of the page around the chat; the widget carries its own.
PAGE_TEXT: Final = {
    "fr": {
        "title": "Consultation citoyenne",
        "intro": "Répondez à quelques questions : vos réponses aident la Région à décider.",
        "privacy": "Vos réponses sont enregistrées de façon pseudonyme. "
        "Pour les effacer, écrivez « supprimer mes données ».",
        "noscript": "Cette discussion a besoin de JavaScript.",
        "not_found": "Cette consultation n'existe pas.",
    },
    "en": {
        "title": "Public consultation",
        "intro": "Answer a few questions: your answers help the Region decide.",
        "privacy": 'Your answers are stored pseudonymously. To erase them, write "delete my data".',
        "noscript": "This chat needs JavaScript.",
        "not_found": "There is no such consultation.",
    },
}
_SECURITY_HEADERS: Final = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_STATIC_CACHE: Final = "public, max-age=300"


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

    async def default_chat(self, request: web.Request) -> web.Response:
        return self._chat_page(request, self.settings.default_consultation)

    async def chat(self, request: web.Request) -> web.Response:
        consultation = request.match_info["consultation"]
        if not _CONSULTATION.fullmatch(consultation):
            lang = self._language(request)
            raise web.HTTPNotFound(text=PAGE_TEXT[lang]["not_found"])
        return self._chat_page(request, consultation)

    def _chat_page(self, request: web.Request, consultation: str) -> web.Response:
        lang = self._language(request)
        html = self._templates.get_template("chat.html").render(
            lang=lang, text=PAGE_TEXT[lang], consultation=consultation
        )
        return web.Response(text=html, content_type="text/html", headers=_SECURITY_HEADERS)

    def _language(self, request: web.Request) -> str:
        asked = request.query.get("lang", "")
        return asked if asked in LANGUAGES else self.settings.default_language

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
        """The process takes messages: started, and not shutting down."""
        if self.lifecycle.accepting:
            return web.json_response({"status": "ready"})
        status = "draining" if self.lifecycle.draining else "starting"
        return web.json_response({"status": status}, status=503)
