"""The Telegram bot inside `consultbot serve` (aiohttp).

`install_telegram(app, settings, conversations_of=..., lifecycle_of=...)` does all
of the following. `telegram_app_context(settings, conversations_of)` is a `cleanup_ctx` entry that
starts the bot when a token is set (polling, or webhook when
`telegram.webhook_url` is set) and stops it on shutdown; `add_telegram_routes`
adds the webhook route (the path of `telegram.webhook_url`, e.g.
`/telegram/webhook`). The route:

- answers 403 and processes nothing unless the `X-Telegram-Bot-Api-Secret-Token`
  header equals `telegram.webhook_secret`;
- answers 413 for a body over 256 KB (Telegram's updates are a few KB), 400 for
  malformed JSON or something that is not an update; logged, nothing processed;
- processes the update (the conversation service commits it) BEFORE answering
  200, so an update Telegram believes delivered is never lost; updates of types we
  do not handle are acknowledged and ignored;
- answers 503 while the server drains for shutdown (`bot.web.lifecycle`), so
  Telegram keeps the update and delivers it again later;
- answers 502 when the replies could not be sent (the Bot API kept failing):
  the answer is stored and its replies kept with its claim, so Telegram's next
  delivery of the update sends them.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from bot.channel_contract import Conversations
from bot.channels.telegram.bot import TelegramBot, running_bot
from bot.channels.telegram.sending import DEFAULT_POLICY, DeliveryFailed, RetryPolicy
from bot.config import Settings
from bot.web.clients import read_body
from bot.web.lifecycle import Draining, Lifecycle
from bot.web.readiness import add_check
from storage.database import Database

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 256 * 1024
DEFAULT_PATH = "/telegram/webhook"
TELEGRAM_BOT = web.AppKey("telegram_bot", TelegramBot)
_WEBHOOK_SECRET = web.AppKey("telegram_webhook_secret", str)
_LIFECYCLE = web.AppKey("telegram_lifecycle", Lifecycle)
_INSTALLED = web.AppKey("telegram_installed", bool)


def webhook_path(settings: Settings) -> str:
    url = settings.telegram.webhook_url
    path = urlsplit(url).path if url else ""
    return path if path.startswith("/") and path != "/" else DEFAULT_PATH


def telegram_app_context(
    settings: Settings,
    conversations_of: Callable[[web.Application], Conversations],
    *,
    lifecycle_of: Callable[[web.Application], Lifecycle] | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    database_of: Callable[[web.Application], Database] | None = None,
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup_ctx entry; add it after the one that opens the conversation
    service, which `conversations_of(app)` returns. With `lifecycle_of`, webhook
    updates count as messages in flight and are refused (503) while draining."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        if lifecycle_of is not None:
            app[_LIFECYCLE] = lifecycle_of(app)
        if settings.telegram.bot_token is None:
            log.info("telegram: no bot token set, Telegram channel off")
            yield
            return
        secret = settings.telegram.webhook_secret
        if secret is not None:
            app[_WEBHOOK_SECRET] = secret.get_secret_value()
        database = database_of(app) if database_of is not None else None
        running = running_bot(settings, conversations_of(app), policy=policy, database=database)
        async with running as bot:
            app[TELEGRAM_BOT] = bot
            yield

    return context


def add_telegram_routes(app: web.Application, settings: Settings) -> None:
    """The webhook route, when webhook mode is configured."""
    if settings.telegram.webhook_url is not None and settings.telegram.bot_token is not None:
        app.router.add_post(webhook_path(settings), receive_update)


async def receive_update(request: web.Request) -> web.Response:
    app = request.app
    expected = app.get(_WEBHOOK_SECRET)
    # Headers arrive as bytes decoded with surrogate escapes: compared as bytes,
    # so any header (even not UTF-8) is simply right or wrong.
    given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
    if expected is None or not hmac.compare_digest(given, expected.encode()):
        log.warning("telegram webhook: call without the right secret refused (403)")
        return web.json_response({"error": "forbidden"}, status=403)
    bot = app.get(TELEGRAM_BOT)
    if bot is None:
        return web.json_response({"error": "the Telegram bot is not running"}, status=503)
    body = await read_body(request, MAX_UPDATE_BYTES)
    if body is None:
        log.warning("telegram webhook: update over %d bytes refused (413)", MAX_UPDATE_BYTES)
        return web.json_response({"error": "update too large"}, status=413)
    update = _parse_update(body, bot)
    if isinstance(update, str):
        log.warning("telegram webhook: %s (400)", update)
        return web.json_response({"error": update}, status=400)
    lifecycle = app.get(_LIFECYCLE)
    try:
        if lifecycle is None:
            await bot.channel.process(update)
        else:
            async with lifecycle.message():
                await bot.channel.process(update)
    except Draining:
        return web.json_response({"error": "shutting down, deliver later"}, status=503)
    except DeliveryFailed:  # logged by the channel
        return web.json_response({"error": "replies not delivered, deliver again"}, status=502)
    return web.Response()  # an empty 200: a body could be read as a Bot API call


def _parse_update(body: bytes, bot: TelegramBot) -> Update | str:
    """The update, or why it is not one."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nested too deep to be an update
        return "body is not JSON"
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:  # not `true`
        return "body is not a Telegram update (no integer update_id)"
    try:
        return Update.de_json(data, bot.application.bot)
    except Exception as error:  # PTB raises many types on malformed nested objects
        return f"malformed update ({type(error).__name__})"


def install_telegram(
    app: web.Application,
    settings: Settings,
    *,
    conversations_of: Callable[[web.Application], Conversations],
    lifecycle_of: Callable[[web.Application], Lifecycle] | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    database_of: Callable[[web.Application], Database] | None = None,
) -> None:
    """All `consultbot serve` needs for Telegram: the bot started and stopped with
    the application (after the conversation service's own cleanup_ctx entry), and
    the webhook route in webhook mode. Calling it twice changes nothing."""
    if app.get(_INSTALLED):
        return
    app[_INSTALLED] = True
    add_check(app, lambda: bot.problem if (bot := app.get(TELEGRAM_BOT)) else None)
    app.cleanup_ctx.append(
        telegram_app_context(
            settings,
            conversations_of,
            lifecycle_of=lifecycle_of,
            policy=policy,
            database_of=database_of,
        )
    )
    add_telegram_routes(app, settings)
