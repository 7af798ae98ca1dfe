"""Run the real application, on the real conversation service and a fresh
SQLite database, on a loopback port for a test."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.app import ServiceWrapper, create_app
from bot.config import Settings
from bot.conversation import ConversationService, build_interpreter
from nlu import Interpreter

DEMO = ("bonjour", "oui", "train", "4", "45000", "Plus de trains le soir entre Orléans et Tours")


def settings_for(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'consultbot.db'}",
        "secret_key": "a test key, not a secret",
    }
    values.update(overrides)
    return Settings.model_validate(values)


@functools.cache
def shared_interpreter() -> Interpreter:
    """Built once for the test session: it reads its data at construction."""
    return build_interpreter(Settings())


async def open_service(settings: Settings) -> ConversationService:
    return await ConversationService.open(settings, interpreter=shared_interpreter())


@asynccontextmanager
async def running(
    settings: Settings, wrap: ServiceWrapper | None = None
) -> AsyncIterator[tuple[str, web.Application]]:
    """The app served on 127.0.0.1 (a free port); yields its base URL and the app."""
    app = create_app(settings, open_service=open_service, wrap=wrap)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}", app
    finally:
        await runner.cleanup()
