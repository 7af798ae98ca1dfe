"""The composition root: `create_app(settings)` wires the conversation service,
the channels and the web pages into one aiohttp application.

Shared objects live under the typed keys below. The conversation service is opened
at start-up and closed at cleanup (`cleanup_ctx`); nothing heavy happens when this
module is imported or when the application is created.

Shutdown (SIGTERM): the listening socket closes, new messages are refused, the
messages in flight are committed and answered, the web chat sockets are closed
with "going away" (the tabs reconnect elsewhere or later), then the service closes.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import AsyncIterator
from typing import Any, Final

from aiohttp import web

from bot.channels.rest import RestChannel
from bot.channels.webchat import OriginPolicy, ParticipantTokens, WebChat
from bot.config import Settings
from bot.inbound import Conversations
from bot.pseudonyms import resolve_secret_key
from bot.web.lifecycle import Lifecycle
from bot.web.pages import Pages

log = logging.getLogger(__name__)

SETTINGS: Final = web.AppKey("settings", Settings)
LIFECYCLE: Final = web.AppKey("lifecycle", Lifecycle)
CONVERSATIONS: web.AppKey[Conversations] = web.AppKey("conversations")
REST: Final = web.AppKey("rest_channel", RestChannel)
WEBCHAT: Final = web.AppKey("webchat", WebChat)

# How long shutdown waits for messages in flight before closing anyway.
DRAIN_TIMEOUT_S: Final = 20.0


def create_app(
    settings: Settings, *, conversations: Conversations | None = None
) -> web.Application:
    """The application. `conversations` replaces the real conversation service
    (opened from `settings` at start-up) where a caller brings its own."""
    app = web.Application(client_max_size=64 * 1024)
    app[SETTINGS] = settings
    app[LIFECYCLE] = Lifecycle()
    pages = Pages(settings, app[LIFECYCLE])
    app.cleanup_ctx.append(_conversation_service(conversations))
    app.on_shutdown.append(_drain)

    router = app.router
    router.add_get("/", pages.default_chat)
    router.add_get("/c/{consultation}", pages.chat)
    router.add_get("/widget.js", pages.widget_js)
    router.add_get("/widget.css", pages.widget_css)
    router.add_get("/page.css", pages.page_css)
    router.add_get("/favicon.ico", pages.favicon)
    router.add_get("/healthz", pages.healthz)
    router.add_get("/readyz", pages.readyz)
    router.add_get("/ws", _webchat)
    router.add_get("/webhooks/rest/", _rest_status)
    router.add_post("/webhooks/rest/webhook", _rest_webhook)
    return app


def _conversation_service(
    injected: Conversations | None,
) -> Any:
    async def context(app: web.Application) -> AsyncIterator[None]:
        settings, lifecycle = app[SETTINGS], app[LIFECYCLE]
        service: Any = injected
        if service is None:
            # Imported here: the service pulls in the database and the interpreter.
            module = importlib.import_module("bot.conversation")
            service = await module.ConversationService.open(settings)
        app[CONVERSATIONS] = service
        app[REST] = RestChannel(service, lifecycle)
        app[WEBCHAT] = WebChat(
            service,
            ParticipantTokens(resolve_secret_key(settings)),
            OriginPolicy(settings.server.allowed_origins),
            lifecycle,
        )
        lifecycle.ready = True
        try:
            yield
        finally:
            lifecycle.ready = False
            if injected is None:
                await service.close()

    return context


async def _drain(app: web.Application) -> None:
    lifecycle = app[LIFECYCLE]
    try:
        async with asyncio.timeout(DRAIN_TIMEOUT_S):
            await lifecycle.drain()
    except TimeoutError:
        log.warning("shutdown: messages still in flight after %.0f s", DRAIN_TIMEOUT_S)
    if WEBCHAT in app:
        await app[WEBCHAT].close_all()


async def _webchat(request: web.Request) -> web.StreamResponse:
    return await request.app[WEBCHAT].handle(request)


async def _rest_status(request: web.Request) -> web.Response:
    return await request.app[REST].status(request)


async def _rest_webhook(request: web.Request) -> web.Response:
    return await request.app[REST].webhook(request)
