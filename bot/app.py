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
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Final, TypeAlias

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.api.errors import ApiError
from bot.api.routes import Api, install_api
from bot.channel_contract import Conversations
from bot.channels.rest import RestChannel
from bot.channels.webchat import WebChat
from bot.channels.webchat_access import OriginPolicy, ParticipantTokens
from bot.config import Settings
from bot.console.app import create_console, open_console
from bot.keys import Keys, resolve_secret_key
from bot.pseudonyms import Pseudonymizer
from bot.rate_limits import rate_limiter
from bot.web.clients import BODY_TIMEOUT, quiet_disconnects
from bot.web.lifecycle import Lifecycle
from bot.web.pages import Pages
from bot.web.proxies import forwarded_for, networks

if TYPE_CHECKING:
    from bot.conversation import ConversationService
    from bot.team_messages import TeamMessages
    from storage.database import Database

log = logging.getLogger(__name__)

SETTINGS: Final = web.AppKey("settings", Settings)
LIFECYCLE: Final = web.AppKey("lifecycle", Lifecycle)
CONVERSATIONS: web.AppKey[Conversations] = web.AppKey("conversations")
DATABASE: web.AppKey[Database] = web.AppKey("database")
REST: Final = web.AppKey("rest_channel", RestChannel)
WEBCHAT: Final = web.AppKey("webchat", WebChat)
API: Final = web.AppKey("api", Api)
# Messages from the consultation team to residents (bot.team_messages), for the console.
TEAM_MESSAGES: web.AppKey[TeamMessages] = web.AppKey("team_messages")
CONSOLE: Final = web.AppKey("console", web.Application)

# How long shutdown waits for messages in flight before closing anyway.
DRAIN_TIMEOUT_S: Final = 20.0
# How often sessions left alone too long are marked expired.
EXPIRY_SWEEP_S: Final = 3600.0

ServiceOpener: TypeAlias = "Callable[[Settings], Awaitable[ConversationService]]"
ServiceWrapper: TypeAlias = Callable[[Conversations], Conversations]


def create_app(
    settings: Settings,
    *,
    open_service: ServiceOpener | None = None,
    wrap: ServiceWrapper | None = None,
    conversations: ConversationService | None = None,
) -> web.Application:
    """The application. The conversation service is opened at start-up by
    `open_service` (default: `bot.startup.open_service`) and closed at cleanup;
    or `conversations` is a service the caller opened and will close. `wrap`, if
    given, stands between the service and the channels (tests use it to hold
    messages in flight)."""
    if conversations is not None:
        opened = conversations

        async def open_given(settings: Settings) -> ConversationService:
            return opened

        open_service = open_given
    middlewares: list[Middleware] = [quiet_disconnects]
    if settings.server.trusted_proxies:  # behind a reverse proxy: the client's address
        middlewares.append(forwarded_for(networks(settings.server.trusted_proxies)))
    app = web.Application(client_max_size=64 * 1024, middlewares=middlewares)
    app[SETTINGS] = settings
    app[BODY_TIMEOUT] = settings.server.body_timeout_s
    app[LIFECYCLE] = Lifecycle()
    pages = Pages(settings, app[LIFECYCLE])
    owned = conversations is None
    console = app[CONSOLE] = create_console(settings)
    app.cleanup_ctx.append(_conversation_service(pages, console, open_service, wrap, owned=owned))
    app.on_shutdown.append(_drain)
    if settings.telegram.bot_token is not None:
        # Imported only when used: python-telegram-bot is a large import.
        from bot.channels.telegram.webhook import install_telegram

        # Started after the service and stopped before it (cleanup_ctx order).
        install_telegram(
            app,
            settings,
            conversations_of=lambda app: app[CONVERSATIONS],
            lifecycle_of=lambda app: app[LIFECYCLE],
            database_of=lambda app: app[DATABASE],  # one poller per deployment
        )

    install_api(app, _api)
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
    app.add_subapp("/console/", console)
    router.add_get("/console", _to_console)
    return app


async def _to_console(request: web.Request) -> web.Response:
    return web.Response(status=308, headers={"Location": "/console/"})


def _conversation_service(
    pages: Pages,
    console: web.Application,
    open_service: ServiceOpener | None,
    wrap: ServiceWrapper | None,
    *,
    owned: bool,
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def context(app: web.Application) -> AsyncIterator[None]:
        settings, lifecycle = app[SETTINGS], app[LIFECYCLE]
        if open_service is None:
            # Imported here: start-up pulls in the database and the interpreter.
            from bot.startup import open_service as open_default

            service = await open_default(settings)
        else:
            service = await open_service(settings)
        channels_see = service if wrap is None else wrap(service)
        app[CONVERSATIONS] = channels_see
        app[DATABASE] = service.database
        app[REST] = RestChannel(channels_see, lifecycle)
        from bot.channels.webchat_push import WebChatPush
        from bot.team_messages import TeamMessages

        push = await WebChatPush.start(service.database, service.pseudonym)
        app[TEAM_MESSAGES] = TeamMessages.for_settings(service.database, settings, web=push)
        app[WEBCHAT] = WebChat(
            channels_see,
            ParticipantTokens(
                Keys.from_settings(settings),
                lifetime=dt.timedelta(days=settings.sessions.expire_after_days),
            ),
            OriginPolicy(settings.server.allowed_origins),
            lifecycle,
            titles=pages.title,
            push=push,
            default_language=settings.default_language,
        )
        pages.consultations_from(service.database)
        from bot.startup import tune_garbage_collector  # with the service: loaded by now

        tune_garbage_collector()
        open_console(console, service.database, app[TEAM_MESSAGES])
        key = resolve_secret_key(settings)
        limits = settings.api
        app[API] = Api(
            service.database,
            Pseudonymizer(Keys(key)),
            rate_limiter(service.database, limits.rate_per_minute, limits.burst),
        )
        stop_delivering = asyncio.Event()
        delivering = None
        if settings.delivery.in_serve:
            from bot.delivery.deliverer import Deliverer

            deliverer = Deliverer(
                service.database,
                Pseudonymizer(Keys(key)),
                key,
                in_flight=settings.delivery.in_flight,
            )
            delivering = asyncio.create_task(deliverer.run(stop_delivering))
        sweeper = asyncio.create_task(_sweep_expired(service))
        lifecycle.ready = True
        try:
            yield
        finally:
            lifecycle.ready = False
            stop_delivering.set()
            if delivering is not None:
                # A send in flight is given its time-out; its event goes again later if cut.
                with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(delivering, DRAIN_TIMEOUT_S)
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            await app[TEAM_MESSAGES].close()
            await push.close()
            if owned:
                await service.close()

    return context


async def _sweep_expired(service: ConversationService) -> None:
    await asyncio.sleep(60.0)  # not while the server is starting
    while True:
        try:
            expired = await service.expiry.expire_inactive(dt.datetime.now(dt.UTC))
        except Exception:
            log.exception("expiring inactive sessions failed; trying again later")
        else:
            if expired:
                log.info("%d inactive sessions expired", expired)
        await asyncio.sleep(EXPIRY_SWEEP_S)


async def _drain(app: web.Application) -> None:
    lifecycle = app[LIFECYCLE]
    try:
        async with asyncio.timeout(DRAIN_TIMEOUT_S):
            await lifecycle.drain()
    except TimeoutError:
        log.warning("shutdown: messages still in flight after %.0f s", DRAIN_TIMEOUT_S)
    if WEBCHAT in app:
        await app[WEBCHAT].close_all()


def _api(app: web.Application) -> Api:
    if API not in app:
        raise ApiError(503, "starting", "the server is starting: try again in a moment")
    return app[API]


async def _webchat(request: web.Request) -> web.StreamResponse:
    return await request.app[WEBCHAT].handle(request)


async def _rest_status(request: web.Request) -> web.Response:
    return await request.app[REST].status(request)


async def _rest_webhook(request: web.Request) -> web.Response:
    return await request.app[REST].webhook(request)
