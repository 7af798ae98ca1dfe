"""`consultbot export CONSULTATION --format csv|jsonl|xlsx|decidim`: the
consultation's contributions as a file (`bot.exports`), recorded in the audit
log. Exit code 2, with one line saying why and no file left, when the export
cannot be made (unknown consultation, bad date, a file that cannot be written).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.db import add_config_option

if TYPE_CHECKING:
    from storage.database import Database

FORMATS = ("csv", "jsonl", "xlsx", "decidim")
USAGE_ERROR = 2


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write a consultation's contributions to a file (CSV, XLSX, JSON Lines, Decidim)",
        description="Write the contributions of a consultation: only what may leave (free text "
        "once approved, redacted). Each export is recorded in the audit log.",
    )
    parser.add_argument("consultation", help="the consultation's id, e.g. mobilite")
    parser.add_argument(
        "--format",
        required=True,
        choices=FORMATS,
        help="csv, xlsx (one row per contribution), jsonl (the API's objects), decidim "
        "(proposals to import: .csv separated by ;, .xlsx or .json after --out)",
    )
    parser.add_argument(
        "--since", metavar="DATE", help="only contributions completed since, YYYY-MM-DD[THH:MM] UTC"
    )
    parser.add_argument(
        "--out", type=Path, metavar="FILE", help="the file to write (default: standard output)"
    )
    parser.add_argument(
        "--by", default=None, metavar="WHO", help="who exports, for the audit (default: cli:USER)"
    )
    add_config_option(parser)
    parser.set_defaults(handler=_export)


def since(value: str | None) -> dt.datetime | None:
    """The --since date; ValueError with a message if it is not one."""
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"--since {value!r} is not a date: write it as 2026-12-01 or 2026-12-01T08:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _export(args: argparse.Namespace) -> int:
    from bot.cli.db import with_database
    from bot.config import load_settings
    from bot.exports.run import ExportRequest, export
    from bot.exports.source import ExportError
    from bot.keys import Keys
    from bot.pseudonyms import Pseudonymizer

    try:
        request = ExportRequest(
            consultation_id=args.consultation,
            format=args.format,
            since=since(args.since),
            out=args.out,
            actor=str(args.by or f"cli:{getpass.getuser()}"),
        )
    except ValueError as error:
        return _refuse(str(error))
    pseudonyms = Pseudonymizer(Keys.from_settings(load_settings(getattr(args, "config", None))))

    async def run(database: Database) -> int:
        await database.check_schema()
        # An export makes millions of objects that live for a page: the
        # collector's passes over everything loaded so far (SQLAlchemy, the
        # flows...) cost a fifth of the export, for nothing. What is there now
        # lives as long as the process: kept out of those passes.
        gc.collect()
        gc.freeze()
        try:
            result = await export(database, pseudonyms, request)
        except ExportError as error:
            return _refuse(str(error))
        where = "standard output" if request.out is None else str(request.out)
        print(
            f"exported {result.contributions} contribution(s) of {request.consultation_id!r} "
            f"({result.rows} {result.kind} row(s)) to {where}",
            file=sys.stderr,
        )
        return 0

    return with_database(args, run)


def _refuse(message: str) -> int:
    print(f"consultbot export: {message}", file=sys.stderr)
    return USAGE_ERROR
