"""What the tests share to run the application as it is served: one interpreter
built the way start-up builds it, settings for a test database, the service as
start-up opens it, the app on a loopback port, and the demo conversation."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.app import ServiceWrapper, create_app
from bot.config import Settings
from bot.conversation import ConversationService
from bot.deployment import DEMO_SCRIPT
from bot.simulation import read_script
from bot.startup import open_service
from bot.understanding import build_interpreter
from nlu import Interpreter

SECRET = "test-secret-key-0123456789abcdef"
# The six messages that complete the demo consultation (flows/examples/mobilite.yml).
DEMO = tuple(read_script(DEMO_SCRIPT))


@functools.cache
def shared_interpreter() -> Interpreter:
    """Built once for the test session, as start-up builds it: it is immutable,
    and training it takes a second or two."""
    return build_interpreter(Settings())


def settings_for(database: str | Path, **overrides: Any) -> Settings:
    """Settings on a test database: a SQLAlchemy URL, or a folder for a fresh
    SQLite file. `overrides`: setting=value, nested keys joined by `__`
    (`privacy__keep_anonymised_answers_on_delete=True`)."""
    url = (
        database
        if isinstance(database, str)
        else f"sqlite+aiosqlite:///{database / 'consultbot.db'}"
    )
    values: dict[str, Any] = {"database_url": url, "secret_key": SECRET}
    for name, value in overrides.items():
        *sections, key = name.split("__")
        node = values
        for section in sections:
            node = node.setdefault(section, {})
        node[key] = value
    return Settings.model_validate(values)


async def start_service(settings: Settings) -> ConversationService:
    """The conversation service as start-up opens it, with the shared interpreter."""
    return await open_service(settings, interpreter=shared_interpreter())


@asynccontextmanager
async def running(
    settings: Settings, wrap: ServiceWrapper | None = None
) -> AsyncIterator[tuple[str, web.Application]]:
    """The app served on 127.0.0.1 (a free port); yields its base URL and the app."""
    app = create_app(settings, open_service=start_service, wrap=wrap)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}", app
    finally:
        await runner.cleanup()
