"""Run the real application on a loopback port for a test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.app import create_app
from bot.config import Settings
from bot.inbound import Conversations


def settings_for(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'consultbot.db'}",
        "secret_key": "a test key, not a secret",
    }
    values.update(overrides)
    return Settings.model_validate(values)


def service_for_test() -> Conversations | None:
    """The conversation service the tests run against (None: the real one, opened
    by the app from its settings)."""
    from tests.bot.web.interim_conversations import InterimConversations

    return InterimConversations()


DEMO = ("bonjour", "oui", "train", "4", "45000", "Plus de trains le soir entre Orléans et Tours")


@asynccontextmanager
async def running(
    settings: Settings, conversations: Conversations | None = None
) -> AsyncIterator[tuple[str, web.Application]]:
    """The app served on 127.0.0.1 (a free port); yields its base URL and the app."""
    app = create_app(settings, conversations=conversations)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}", app
    finally:
        await runner.cleanup()
