"""`consultbot flows deploy|list`: put flows live on the configured database.

Deploying validates first (nothing is stored for an invalid flow), stores a new
version only if the flow changed, and makes it live; sessions in progress stay
on the version they started with.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any


def add_deploy_commands(commands: argparse._SubParsersAction[Any]) -> None:
    deploy = commands.add_parser(
        "deploy",
        help="validate flow files and make them live",
        description="Validate flow files and make them live. A flow identical to the "
        "live version changes nothing; conversations in progress stay on their version.",
    )
    deploy.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="flow file(s)")
    deploy.add_argument("--config", type=Path, help="configuration file (default: config.yml)")
    deploy.add_argument("--by", help="who deploys, for the record (default: your user name)")
    deploy.set_defaults(handler=deploy_)

    listing = commands.add_parser(
        "list",
        help="list deployed consultations, versions and session counts",
        description="List the deployed consultations, their versions, the live one and "
        "how many sessions started on each.",
    )
    listing.add_argument("--config", type=Path, help="configuration file (default: config.yml)")
    listing.set_defaults(handler=list_)


def deploy_(args: argparse.Namespace) -> int:
    return asyncio.run(_deploy(args))


def list_(args: argparse.Namespace) -> int:
    return asyncio.run(_list(args))


async def _deploy(args: argparse.Namespace) -> int:
    import datetime as dt

    from bot.config import load_settings
    from bot.deployment import deploy_file
    from flows.loader import load_flow
    from storage.database import Database

    settings = load_settings(args.config)
    for path in args.paths:  # all valid, or nothing deployed
        load_flow(path)
    async with await Database.connect(settings.database_url) as database:
        await database.upgrade()
        for path in args.paths:
            result = await deploy_file(
                database, path, now=dt.datetime.now(dt.UTC), deployed_by=args.by
            )
            if result.changed:
                print(f"{path}: '{result.consultation_id}' version {result.version} is live")
            else:
                print(
                    f"{path}: unchanged, '{result.consultation_id}' version "
                    f"{result.version} stays live"
                )
    return 0


async def _list(args: argparse.Namespace) -> int:
    from bot.config import load_settings
    from storage import consultations
    from storage.database import Database

    settings = load_settings(args.config)
    async with await Database.connect(settings.database_url) as database:
        await database.check_schema()
        async with database.transaction() as session:
            overview = await consultations.overview(session)
    if not overview:
        print("No consultation is deployed yet: consultbot flows deploy FILE")
        return 0
    for consultation in overview:
        print(f"{consultation.id}  {consultation.title or ''}".rstrip())
        for version in consultation.versions:
            live = "  LIVE" if version.live else ""
            when = version.deployed_at.strftime("%Y-%m-%d %H:%M UTC")
            print(
                f"  v{version.version}  {when}  by {version.deployed_by}  "
                f"{version.sessions} session{'s' if version.sessions != 1 else ''}{live}"
            )
    return 0
