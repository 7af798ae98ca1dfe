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

The commands that serve residents (`serve`, `telegram poll`) open it with
`open_serving`, which also refuses to start when `default_consultation` names
no deployed consultation: every resident's message would fail otherwise.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Sequence
from pathlib import Path

from bot.config import Settings
from bot.conversation import ConversationService
from bot.deployment import BUNDLED_FLOWS, deploy_initial
from bot.errors import ConfigError
from bot.keys import Keys
from bot.pseudonyms import Pseudonymizer
from bot.rasa import RasaCommands
from bot.understanding import build_interpreter
from nlu import Interpreter
from storage import consultations
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
    folders = flow_folders(settings)
    if interpreter is None:
        interpreter = build_interpreter(settings)
    database = await open_database(settings, folders, now=now or dt.datetime.now(dt.UTC))
    return ConversationService(
        database, interpreter, pseudonymizer, settings, connect_rasa(settings)
    )


async def open_serving(settings: Settings) -> ConversationService:
    """`open_service` for the commands that serve residents; ConfigError when
    `default_consultation` names no deployed consultation (nothing is left
    open then)."""
    service = await open_service(settings)
    try:
        await check_default_consultation(service.database, settings)
    except BaseException:
        await service.close()
        raise
    return service


def flow_folders(settings: Settings) -> list[Path]:
    """The folders whose flows the first start deploys: the bundled examples,
    then `flows_dir`. ConfigError when `flows_dir` is not a folder that can be
    read, on every start: its flows would otherwise go missing unnoticed (a
    missing folder globs to nothing)."""
    folder = settings.flows_dir
    if folder is None:
        return [BUNDLED_FLOWS]
    if not folder.is_dir():
        problem = "is not a folder" if folder.exists() else "does not exist"
    elif not os.access(folder, os.R_OK | os.X_OK):
        problem = "cannot be read"
    else:
        return [BUNDLED_FLOWS, folder]
    raise ConfigError(
        f"config: flows_dir (CONSULTBOT_FLOWS_DIR): the folder {folder} {problem}; "
        "set flows_dir to the folder of your flow files, or to null for none"
    )


async def check_default_consultation(database: Database, settings: Settings) -> None:
    """ConfigError unless `default_consultation` is deployed (once the first
    flows are), naming those that are."""
    async with database.read() as session:
        deployed = [
            version.consultation_id for version in await consultations.live_versions(session)
        ]
    wanted = settings.default_consultation
    if wanted in deployed:
        return
    raise ConfigError(
        f"config: default_consultation (CONSULTBOT_DEFAULT_CONSULTATION): no consultation "
        f"{wanted!r} is deployed; set it to one that is ({', '.join(deployed) or 'none yet'}), "
        "or deploy it first with `consultbot flows deploy FILE`"
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
