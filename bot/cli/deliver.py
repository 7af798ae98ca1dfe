"""`consultbot deliver`: the webhook deliverer alone, for deployments that run
it apart from `consultbot serve` (set delivery.in_serve: false there). Several
may run on one PostgreSQL. SIGTERM or Ctrl-C stops it after the current send."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from typing import Any

from bot.cli.db import add_config_option


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "deliver",
        help="push events to the webhooks (also done by serve)",
        description="Deliver outbox events to the webhook endpoints until stopped.",
    )
    add_config_option(parser)
    parser.set_defaults(handler=_deliver)


def _deliver(args: argparse.Namespace) -> int:
    from bot.config import load_settings

    settings = load_settings(getattr(args, "config", None))
    logging.basicConfig(
        level=logging.DEBUG if settings.debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)

    async def run() -> None:
        from bot.delivery.deliverer import Deliverer
        from bot.keys import Keys, resolve_secret_key
        from bot.pseudonyms import Pseudonymizer
        from storage.database import Database

        key = resolve_secret_key(settings)
        database = await Database.connect(settings.database_url)
        try:
            await database.check_schema()
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, stop.set)
            print("consultbot: delivering webhooks; Ctrl-C stops", file=sys.stderr, flush=True)
            deliverer = Deliverer(
                database, Pseudonymizer(Keys(key)), key, in_flight=settings.delivery.in_flight
            )
            await deliverer.run(stop)
        finally:
            await database.close()

    asyncio.run(run())
    return 0
