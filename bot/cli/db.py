"""`consultbot db upgrade|downgrade|current`: the database schema.

`serve` applies the migrations at start-up as well; this command is for doing it
beforehand (e.g. in a deployment step) and for looking at where a database is.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.database import Database


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "db",
        help="create or update the database schema",
        description="Apply or revert the database migrations, or show the current revision. "
        "The database is the setting database_url (CONSULTBOT_DATABASE_URL).",
    )
    actions = parser.add_subparsers(dest="db_action", required=True, metavar="ACTION")

    upgrade = actions.add_parser("upgrade", help="apply the migrations (default: all of them)")
    upgrade.add_argument("revision", nargs="?", default="head", help="target (default: head)")
    add_config_option(upgrade)
    upgrade.set_defaults(handler=_upgrade)

    downgrade = actions.add_parser(
        "downgrade", help="revert migrations down to REVISION (base: drop every table)"
    )
    downgrade.add_argument("revision", help="target revision, or base")
    downgrade.add_argument(
        "--yes", action="store_true", help="confirm: reverting drops tables and their data"
    )
    add_config_option(downgrade)
    downgrade.set_defaults(handler=_downgrade)

    current = actions.add_parser("current", help="show the revision the database is at")
    add_config_option(current)
    current.set_defaults(handler=_current)


def add_config_option(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: never overwrite a --config given before the subcommand.
    parser.add_argument(
        "--config",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="FILE",
        help="configuration file (default: ./config.yml or CONSULTBOT_CONFIG)",
    )


def with_database(args: argparse.Namespace, use: Callable[[Database], Awaitable[int]]) -> int:
    """Load the settings, open the database, run `use` on it, close it."""
    from bot.config import load_settings
    from storage.database import Database

    settings = load_settings(getattr(args, "config", None))

    async def run() -> int:
        database = await Database.connect(settings.database_url)
        try:
            return await use(database)
        finally:
            await database.close()

    return asyncio.run(run())


def _describe(revision: str | None, head: str) -> str:
    if revision is None:
        return "revision none (empty)"
    return f"revision {revision}" + (" (latest)" if revision == head else "")


def _upgrade(args: argparse.Namespace) -> int:
    async def upgrade(database: Database) -> int:
        before = await database.current_revision()
        await database.upgrade(args.revision)
        after = await database.current_revision()
        head = database.head_revision()
        if before == after:
            print(f"{database.url}: already at {_describe(after, head)}")
        else:
            change = f"from {_describe(before, head)} to {_describe(after, head)}"
            print(f"{database.url}: upgraded {change}")
        return 0

    return with_database(args, upgrade)


def _downgrade(args: argparse.Namespace) -> int:
    if not args.yes:
        print(
            f"consultbot: downgrading to {args.revision} drops tables and the data in them; "
            "add --yes to go ahead",
            file=sys.stderr,
        )
        return 1

    async def downgrade(database: Database) -> int:
        before = await database.current_revision()
        await database.downgrade(args.revision)
        after = await database.current_revision()
        head = database.head_revision()
        print(
            f"{database.url}: downgraded from {_describe(before, head)} to {_describe(after, head)}"
        )
        return 0

    return with_database(args, downgrade)


def _current(args: argparse.Namespace) -> int:
    async def current(database: Database) -> int:
        revision = await database.current_revision()
        head = database.head_revision()
        line = f"{database.url}: at {_describe(revision, head)}"
        if revision is not None and revision not in database.known_revisions():
            line += "; a newer consultbot migrated it, this one does not know that revision"
        elif revision != head:
            line += f"; this consultbot needs {head}: run `consultbot db upgrade`"
        print(line)
        return 0

    return with_database(args, current)
