"""`consultbot moderate list|approve|reject`: review free-text answers from a
terminal, with the same rules as the console (first decision wins, reasons
from console.rejection_reasons, every decision audited and sent to the
consultation engine).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
from typing import TYPE_CHECKING, Any

from bot.cli.db import add_config_option, with_database

if TYPE_CHECKING:
    from storage.database import Database


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "moderate",
        help="review free-text answers: list, approve, reject",
        description="List the pending free-text answers, approve one (optionally with a "
        "redacted text) or reject one with a reason. The first decision on an answer wins.",
    )
    actions = parser.add_subparsers(dest="moderate_action", required=True, metavar="ACTION")

    listing = actions.add_parser("list", help="pending answers, oldest first")
    listing.add_argument("--consultation", metavar="ID", help="only this consultation")
    listing.add_argument("--after", type=int, default=0, metavar="ID", help="page on past ID")
    listing.add_argument("--limit", type=int, default=50, metavar="N", help="at most N (50)")
    add_config_option(listing)
    listing.set_defaults(handler=_list)

    approve = actions.add_parser("approve", help="approve an answer")
    approve.add_argument("answer_id", type=int, metavar="ID")
    approve.add_argument("--text", help="the redacted text to publish instead of the original")
    approve.add_argument("--tag", action="append", default=None, help="a theme (repeatable)")
    _add_actor(approve)
    add_config_option(approve)
    approve.set_defaults(handler=_approve)

    reject = actions.add_parser("reject", help="reject an answer with a reason")
    reject.add_argument("answer_id", type=int, metavar="ID")
    reject.add_argument("--reason", required=True, help="one of console.rejection_reasons")
    reject.add_argument("--note", help="a note for the other moderators")
    _add_actor(reject)
    add_config_option(reject)
    reject.set_defaults(handler=_reject)


def _add_actor(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--by", default=None, metavar="WHO", help="who decides, for the audit (default: cli:USER)"
    )


def _actor(args: argparse.Namespace) -> str:
    return str(args.by or f"cli:{getpass.getuser()}")


def _list(args: argparse.Namespace) -> int:
    from bot.console.decisions import suggested_redaction
    from storage import review_queue

    async def show(database: Database) -> int:
        await database.check_schema()
        criteria = review_queue.QueueFilter(consultation_id=args.consultation)
        async with database.transaction() as session:
            items = await review_queue.page(
                session, criteria, after_id=args.after, limit=max(1, min(args.limit, 500))
            )
        for item in items:
            print(
                f"#{item.id}  {item.consultation_id} v{item.flow_version}  {item.question_id}  "
                f"{item.answered_at:%Y-%m-%d %H:%M}  {item.channel or 'anonymised'}"
            )
            print(f"  question ({item.language}): {item.question_text}")
            print(f"  answer: {item.text}")
            suggestion = suggested_redaction(item.text, item.language)
            if suggestion is not None:
                print(f"  personal data; suggested redaction: {suggestion}")
        if not items:
            print("no pending answers")
        elif len(items) == args.limit:
            print(f"more: consultbot moderate list --after {items[-1].id}")
        return 0

    return with_database(args, show)


def _approve(args: argparse.Namespace) -> int:
    async def decide(database: Database) -> int:
        from bot.console.decisions import outcome_message
        from storage import moderation

        await database.check_schema()
        async with database.transaction() as session:
            decision = await moderation.approve(
                session,
                args.answer_id,
                by=_actor(args),
                now=dt.datetime.now(dt.UTC),
                text=args.text,
                tags=args.tag,
            )
        print(outcome_message(decision))
        return 0 if decision.applied else 1

    return with_database(args, decide)


def _reject(args: argparse.Namespace) -> int:
    from bot.config import load_settings
    from bot.console.decisions import checked_reason

    settings = load_settings(getattr(args, "config", None))
    reason = checked_reason(args.reason, settings.console.rejection_reasons)

    async def decide(database: Database) -> int:
        from bot.console.decisions import outcome_message
        from storage import moderation

        await database.check_schema()
        async with database.transaction() as session:
            decision = await moderation.reject(
                session,
                args.answer_id,
                by=_actor(args),
                now=dt.datetime.now(dt.UTC),
                reason=reason,
                note=args.note,
            )
        print(outcome_message(decision))
        return 0 if decision.applied else 1

    return with_database(args, decide)
