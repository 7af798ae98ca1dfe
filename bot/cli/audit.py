"""`consultbot audit --since 7d`: the audit log, newest first: who did what to
which item and when (never a resident's words). `--csv` for a spreadsheet."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from typing import TYPE_CHECKING, Any

from bot.cli.db import add_config_option, with_database
from bot.cli.purge import days

if TYPE_CHECKING:
    from storage.database import Database

CSV_HEADER = ("at", "action", "actor", "subject", "before", "after", "details", "counts")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="print the audit log (who did what, when)",
        description="Print the audit records of the last days, newest first.",
    )
    parser.add_argument(
        "--since", type=days, default=dt.timedelta(days=7), metavar="DAYS", help="e.g. 7d (7d)"
    )
    parser.add_argument("--action", help="only this action, e.g. answer.reject")
    parser.add_argument("--csv", action="store_true", help="CSV on standard output")
    add_config_option(parser)
    parser.set_defaults(handler=_audit)


def audit_row(record: Any) -> list[str]:
    """One record as CSV cells (`storage.audit.AuditRecord`)."""
    return [
        record.at.isoformat(),
        record.action,
        record.actor or "",
        record.subject or "",
        record.state_before or "",
        record.state_after or "",
        " ".join(f"{k}={v}" for k, v in sorted(record.details.items())),
        " ".join(f"{k}={v}" for k, v in sorted(record.counts.items())),
    ]


def _audit(args: argparse.Namespace) -> int:
    async def show(database: Database) -> int:
        from storage import audit

        await database.check_schema()
        since = dt.datetime.now(dt.UTC) - args.since
        async with database.transaction() as session:
            records = await audit.recent(session, action=args.action, since=since, limit=100_000)
        if args.csv:
            writer = csv.writer(sys.stdout)
            writer.writerow(CSV_HEADER)
            writer.writerows(audit_row(r) for r in records)
            return 0
        for record in records:
            cells = audit_row(record)
            change = f" {cells[4]}->{cells[5]}" if cells[4] or cells[5] else ""
            extra = "  ".join(c for c in (cells[6], cells[7]) if c)
            print(
                f"{record.at:%Y-%m-%d %H:%M:%S}  {record.action}  {cells[2] or '-'}  "
                f"{cells[3] or '-'}{change}  {extra}".rstrip()
            )
        if not records:
            print(f"no audit records in the last {args.since.days} days")
        return 0

    return with_database(args, show)
