"""`consultbot purge --older-than 365d`: apply the retention period.

Erases transcript lines, processed message ids and delivered outbox events
older than the period (default: privacy.transcript_retention_days) and writes
an audit record with the counts. Answers are kept. Meant to run daily (cron,
systemd timer).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from bot.cli.db import add_config_option, with_database

if TYPE_CHECKING:
    from storage.database import Database

BATCH = 5000  # rows of each kind per transaction
_DAYS = re.compile(r"^\s*(\d+)\s*d?\s*$")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "purge",
        help="erase transcripts older than the retention period",
        description="Erase transcript lines, processed message ids and delivered outbox events "
        "older than the retention period, and record how many in the audit log. "
        "Answers are kept.",
    )
    parser.add_argument(
        "--older-than",
        type=days,
        default=None,
        metavar="DAYS",
        help="age in days, e.g. 365d (default: privacy.transcript_retention_days)",
    )
    add_config_option(parser)
    parser.set_defaults(handler=_purge)


def days(text: str) -> dt.timedelta:
    """`365d` or `365`: a number of days, at least one."""
    match = _DAYS.match(text)
    if match is None or int(match.group(1)) < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of days; write it like 365d (at least 1d)"
        )
    return dt.timedelta(days=int(match.group(1)))


def _purge(args: argparse.Namespace) -> int:
    from bot.config import load_settings

    settings = load_settings(getattr(args, "config", None))
    age: dt.timedelta = args.older_than or dt.timedelta(
        days=settings.privacy.transcript_retention_days
    )

    async def purge(database: Database) -> int:
        from storage import retention

        await database.check_schema()
        cutoff = dt.datetime.now(dt.UTC) - age
        counts = retention.PurgeCounts(0, 0, 0, 0, 0)
        while True:  # in batches, so the running bot never waits long for the database
            async with database.transaction() as session:
                batch = await retention.purge(
                    session, older_than=cutoff, now=dt.datetime.now(dt.UTC), limit=BATCH
                )
            counts += batch
            if not batch.reached(BATCH):
                break
        print(
            f"purged what was older than {age.days} days (before {cutoff:%Y-%m-%d %H:%M} UTC): "
            f"{counts.transcript_lines} transcript lines, "
            f"{counts.inbound_messages} processed message ids, "
            f"{counts.outbox_events} delivered outbox events, "
            f"{counts.erasure_receipts} erasure receipts, "
            f"{counts.team_messages} messages from the team; recorded in the audit log"
        )
        return 0

    return with_database(args, purge)
