"""Start-up: everything the application prepares before the conversation service
takes its first message, in one place.

    service = await open_service(settings)      # `consultbot serve`, `telegram poll`
    ...
    await service.close()

It connects and migrates the database, deploys the bundled flows (and those of
`flows_dir`) on the first start with an empty database, builds the interpreter
from the settings, connects to a Rasa server when `nlu.rasa_url` is set, and
hands all of it to `ConversationService`, which then only converses (and closes
what it was handed). `consultbot simulate` uses the same pieces on a temporary
database holding the one flow it tries.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Sequence
from pathlib import Path

from bot.config import Settings
from bot.conversation import ConversationService
from bot.deployment import BUNDLED_FLOWS, deploy_initial
from bot.keys import Keys
from bot.pseudonyms import Pseudonymizer
from bot.rasa import RasaCommands
from bot.understanding import build_interpreter
from nlu import Interpreter
from storage.database import Database


async def open_service(
    settings: Settings,
    *,
    interpreter: Interpreter | None = None,
    now: dt.datetime | None = None,
) -> ConversationService:
    """The conversation service of a deployment, on its migrated database.
    `interpreter`: one already built from these settings (tests share one).
    Raises ConfigError or StorageError; nothing is left open then."""
    pseudonymizer = Pseudonymizer(Keys.from_settings(settings))
    if interpreter is None:
        interpreter = build_interpreter(settings)
    folders = [BUNDLED_FLOWS, *([settings.flows_dir] if settings.flows_dir else [])]
    database = await open_database(settings, folders, now=now or dt.datetime.now(dt.UTC))
    return ConversationService(
        database, interpreter, pseudonymizer, settings, connect_rasa(settings)
    )


async def open_database(
    settings: Settings, folders: Sequence[Path], *, now: dt.datetime
) -> Database:
    """The database at the latest migration; with no consultation deployed yet,
    the flows of `folders` are deployed first."""
    database = await Database.connect(settings.database_url)
    try:
        await database.upgrade()
        await deploy_initial(database, list(folders), now=now)
    except BaseException:
        await database.close()
        raise
    return database


def tune_garbage_collector() -> None:
    """Once start-up is done. What it loaded (flows, the interpreter's tables,
    libraries) lives as long as the process: kept out of the collector's full
    passes, which would otherwise scan it all, a pause felt by whoever is
    waiting. The young objects left in reference cycles (aiohttp's, a few dozen
    per closed WebSocket) are collected more often, in shorter pauses. The
    README's benchmark section has the figures."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(700, 10, 2)


def connect_rasa(settings: Settings) -> RasaCommands | None:
    """The client of the configured Rasa server, if any (closed by the service)."""
    if not settings.nlu.rasa_url:
        return None
    import aiohttp  # only when a Rasa server is configured

    return RasaCommands(settings.nlu.rasa_url, aiohttp.ClientSession())
