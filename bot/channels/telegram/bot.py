"""The running Telegram bot: python-telegram-bot's Application with our channel as
its only handler, started in polling or webhook mode, with the command menu
registered in French (the default) and English."""

from __future__ import annotations

import fcntl
import logging
import os
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from urllib.parse import urlsplit

from telegram import Bot, BotCommand, WebhookInfo
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder

from bot.channel_contract import Conversations
from bot.channels.telegram.address import ChatAddressCipher
from bot.channels.telegram.channel import ALLOWED_UPDATES, TelegramChannel, TelegramStartError
from bot.channels.telegram.offers import Reachability
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.sending import DEFAULT_POLICY, RetryPolicy
from bot.config import Settings
from bot.errors import ConfigError
from bot.keys import Keys
from flows.catalogue import CATALOGUE
from storage.database import Database
from storage.sole_holder import TELEGRAM_POLLING, SoleHolder

log = logging.getLogger(__name__)


class TelegramBot:
    """The PTB application and our channel, started and stopped together."""

    def __init__(
        self,
        settings: Settings,
        conversations: Conversations,
        *,
        polling: bool,
        policy: RetryPolicy = DEFAULT_POLICY,
        poll_timeout: float = 10.0,
        sole: SoleHolder | None = None,
    ) -> None:
        quiet_http_logs()
        token = settings.telegram.bot_token
        if token is None:
            raise ConfigError("telegram: set CONSULTBOT_TELEGRAM__BOT_TOKEN to run the bot")
        builder = (
            ApplicationBuilder()
            .token(token.get_secret_value())
            .base_url(settings.telegram.api_base_url)
            .updater(None)  # polling is ours (`polling`), webhooks come to our route
        )
        self.application: Application = builder.build()  # type: ignore[type-arg]
        self.api_base_url = settings.telegram.api_base_url
        self.webhook_url = settings.telegram.webhook_url
        self.polling = polling
        self.poll_timeout = poll_timeout
        self.sole = sole  # polling: the deployment's polling lock (None: one process)
        reachability = conversations if isinstance(conversations, Reachability) else None
        keys = Keys.from_settings(settings)
        self.channel = TelegramChannel(
            self.application.bot,
            conversations,
            keys=keys,
            addresses=ChatAddressCipher(keys),
            reachability=reachability,
            policy=policy,
            default_language=settings.default_language,
            holds=polling,
        )
        self.poller: Poller | None = None

    async def start(self) -> None:
        try:
            await self.application.initialize()  # getMe
            webhook = await self.application.bot.get_webhook_info()
        except TelegramError as error:
            await self.application.shutdown()
            await _close_connections(self.application.bot)
            raise _start_error(error, self.api_base_url) from None
        bot = self.application.bot
        if not self.polling and webhook.url != self.webhook_url:
            # Not fatal: the deployment may register it right after starting.
            log.warning(
                "telegram: Telegram does not send updates to telegram.webhook_url yet; "
                "run `consultbot telegram set-webhook` once for this deployment"
            )
        if self.polling and webhook.url:
            await self.application.shutdown()
            raise TelegramStartError(
                "telegram: this bot has a webhook set, and polling would delete it; "
                "set telegram.webhook_url to use it, or run "
                "`consultbot telegram delete-webhook` first (never poll with the "
                "production bot's token)"
            )
        await register_commands(bot, self.channel.default_language)
        await self.application.start()
        if self.polling:
            # The channel is read at each update, so tests may wrap `channel.process`.
            self.poller = Poller(
                bot,
                lambda update: self.channel.process(update),
                allowed_updates=ALLOWED_UPDATES,
                timeout=self.poll_timeout,
                sole=self.sole,
                retry=lambda: self.channel.retry_held(),
            )
            self.poller.start()
        log.info(
            "telegram: @%s running (%s)",
            self.application.bot.username,
            "polling" if self.polling else "webhook",
        )

    @property
    def problem(self) -> str | None:
        """Why this process gets no updates (for `/readyz`), or None."""
        return self.poller.problem if self.poller is not None else None

    async def stop(self) -> None:
        if self.poller is not None:
            await self.poller.stop()
        if self.channel.held:
            log.error(
                "telegram: %d updates still wait for Telegram to take their replies, and "
                "are lost with this process: their answers are stored, but those residents "
                "get no reply until they write again",
                self.channel.held,
            )
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()


def quiet_http_logs() -> None:
    """A Bot API URL carries the bot token: httpx logs every request URL at INFO,
    and PTB's Bot logs its URL (and each call's parameters) at DEBUG. Keep both
    loggers quieter so that the token never reaches the logs, even in debug."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("telegram.Bot").setLevel(logging.INFO)
    logging.getLogger("telegram.ext.ExtBot").setLevel(logging.INFO)


async def register_commands(bot: Bot, default_language: str) -> None:
    """The command menu (catalogue section `telegram_menu`) in each catalogue
    language, and in the deployment's default language for the others."""
    for language in (None, *CATALOGUE.languages):
        menu = CATALOGUE.section("telegram_menu", language, default_language)
        commands = [BotCommand(name, description) for name, description in menu.items()]
        try:
            await bot.set_my_commands(commands, language_code=language)
        except TelegramError as error:  # the bot works without a menu
            log.warning("telegram: command menu not registered (%s)", error)


@asynccontextmanager
async def running_bot(
    settings: Settings,
    conversations: Conversations,
    *,
    policy: RetryPolicy = DEFAULT_POLICY,
    poll_timeout: float = 10.0,
    database: Database | None = None,
) -> AsyncIterator[TelegramBot]:
    """Start the bot in the mode the settings choose; stop it on exit. With
    `database`, polling is done by one process of the deployment at a time."""
    polling = settings.telegram.webhook_url is None
    if not polling and settings.telegram.webhook_secret is None:
        raise ConfigError(
            "telegram: webhook_url is set but CONSULTBOT_TELEGRAM__WEBHOOK_SECRET is not; "
            "set it to 1-256 characters among A-Z a-z 0-9 _ -"
        )
    sole = SoleHolder(database, TELEGRAM_POLLING) if polling and database is not None else None
    with _sole_sqlite_poller(database if polling else None):
        bot = TelegramBot(
            settings,
            conversations,
            polling=polling,
            policy=policy,
            poll_timeout=poll_timeout,
            sole=sole,
        )
        await bot.start()
        try:
            yield bot
        finally:
            await bot.stop()


@contextmanager
def _sole_sqlite_poller(database: Database | None) -> Iterator[None]:
    """On SQLite (one process), no second poller: `consultbot telegram poll`
    beside `consultbot serve` would take turns with it at getUpdates (409
    conflicts) and split the updates. A lock on a file beside the database,
    held while polling, freed by the system when the process ends."""
    path = database.engine.url.database if database and database.backend == "sqlite" else None
    if not path or path == ":memory:":
        yield
        return
    descriptor = os.open(f"{path}.telegram-polling.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise TelegramStartError(
                f"telegram: another process already polls this bot on the SQLite database "
                f"{path} (`consultbot serve` or `consultbot telegram poll`); SQLite is one "
                "process: run only one of them"
            ) from None
        yield
    finally:
        os.close(descriptor)  # the lock goes with it


_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


async def set_webhook(settings: Settings) -> str:
    """Tell Telegram to POST updates to `telegram.webhook_url` with our secret;
    once per deployment. Returns the URL."""
    url = settings.telegram.webhook_url
    secret = settings.telegram.webhook_secret
    if url is None:
        raise ConfigError(
            "telegram.webhook_url is not set (CONSULTBOT_TELEGRAM__WEBHOOK_URL): "
            "the public HTTPS address at which Telegram will call the bot"
        )
    parts = urlsplit(url)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise ConfigError(f"telegram.webhook_url must be an https:// URL (got {url!r})")
    if secret is None or not _SECRET_TOKEN.fullmatch(secret.get_secret_value()):
        raise ConfigError(
            "CONSULTBOT_TELEGRAM__WEBHOOK_SECRET must be set to 1-256 characters among "
            "A-Z a-z 0-9 _ - (Telegram echoes it so that forged calls are refused)"
        )
    async with _bot(settings) as bot:
        await bot.set_webhook(
            url,
            secret_token=secret.get_secret_value(),
            allowed_updates=list(ALLOWED_UPDATES),
        )
        await register_commands(bot, settings.default_language)
    return url


async def delete_webhook(settings: Settings, *, drop_pending_updates: bool = False) -> None:
    async with _bot(settings) as bot:
        await bot.delete_webhook(drop_pending_updates=drop_pending_updates)


def _start_error(error: TelegramError, api_base_url: str) -> TelegramStartError:
    if isinstance(error, InvalidToken):
        return TelegramStartError(
            "telegram: the Bot API refused the token; check CONSULTBOT_TELEGRAM__BOT_TOKEN"
        )
    return TelegramStartError(f"telegram: cannot reach the Bot API at {api_base_url} ({error})")


async def _close_connections(bot: Bot) -> None:
    """After a failed initialize(), PTB's shutdown() does nothing (it was never
    initialized), yet the connection of the getMe call is open: close it."""
    await bot.request.shutdown()


@asynccontextmanager
async def _bot(settings: Settings) -> AsyncIterator[Bot]:
    token = settings.telegram.bot_token
    if token is None:
        raise ConfigError("telegram: set CONSULTBOT_TELEGRAM__BOT_TOKEN")
    quiet_http_logs()
    bot = Bot(token.get_secret_value(), base_url=settings.telegram.api_base_url)
    try:
        await bot.initialize()
    except TelegramError as error:
        await _close_connections(bot)
        raise _start_error(error, settings.telegram.api_base_url) from None
    try:
        yield bot
    except TelegramError as error:
        raise TelegramStartError(f"telegram: the Bot API refused the call ({error})") from None
    finally:
        await bot.shutdown()


async def webhook_info(settings: Settings) -> WebhookInfo:
    async with _bot(settings) as bot:
        return await bot.get_webhook_info()
