"""`consultbot followups create|send|status|list`: tell the residents who asked
for it what became of a consultation (bot.follow_ups).

    consultbot followups create mobilite --text fr="Merci ! ..." --text en="Thank you! ..."
    consultbot followups send 3          queue the copies, hand them out, paced; resumes
    consultbot followups status 3        delivered, waiting, unreachable
    consultbot followups list mobilite

`create` stores it as a draft (no resident sees it) and prints how many
residents asked for the follow-ups; `send` queues a copy for each (audited)
and delivers them (run it again after an interruption: what was handed out is
never sent twice).
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING, Any

from bot.cli.db import add_config_option
from bot.cli.human import acting_author, run_with_team_messages

if TYPE_CHECKING:
    from bot.team_messages import TeamMessages
    from storage.database import Database
    from storage.follow_ups import Progress


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "followups",
        help="tell residents who asked for it what became of a consultation",
        description="Write a follow-up of a consultation (one text per language of its "
        "flow) and send it to the residents who asked to be kept informed, over their "
        "own channel.",
    )
    actions = parser.add_subparsers(dest="followups_action", required=True, metavar="ACTION")

    create = actions.add_parser("create", help="store a follow-up as a draft (no one sees it)")
    create.add_argument("consultation", metavar="CONSULTATION")
    create.add_argument(
        "--text",
        action="append",
        required=True,
        type=_language_text,
        metavar="LANG=TEXT",
        help='the text in one language, e.g. fr="Merci ..." (one per language of the flow)',
    )
    _common(create)
    create.set_defaults(handler=_create)

    send = actions.add_parser("send", help="send a follow-up to the residents who asked, paced")
    send.add_argument("follow_up", type=int, metavar="ID", help="its number, from `create`")
    send.add_argument(
        "--per-second",
        type=float,
        default=25.0,
        help="at most this many messages a second (25; Telegram allows about 30 a bot)",
    )
    _common(send)
    send.set_defaults(handler=_send)

    status = actions.add_parser("status", help="where a follow-up's copies stand")
    status.add_argument("follow_up", type=int, metavar="ID")
    _common(status)
    status.set_defaults(handler=_status)

    listing = actions.add_parser("list", help="a consultation's follow-ups")
    listing.add_argument("consultation", metavar="CONSULTATION")
    _common(listing)
    listing.set_defaults(handler=_list)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--by", dest="author", default=None, metavar="WHO", help="who acts (default: cli:USER)"
    )
    add_config_option(parser)


def _language_text(value: str) -> tuple[str, str]:
    language, equals, text = value.partition("=")
    if not equals or not language.strip():
        raise argparse.ArgumentTypeError(f'write LANG=TEXT, e.g. fr="Merci"; got {value!r}')
    return language.strip(), text


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _print_progress(progress: Progress) -> None:
    print(
        f"{progress.total} residents: {progress.delivered} delivered, {progress.waiting} "
        f"waiting (shown when they next write or open the chat), {progress.unreachable} "
        "unreachable (they blocked the bot)"
    )


def _create(args: argparse.Namespace) -> int:
    texts = dict(args.text)
    if len(texts) != len(args.text):
        print("error: give one --text per language")
        return 2

    async def use(messages: TeamMessages, database: Database) -> int:
        from bot.follow_ups import FollowUps

        follow_up, asking = await FollowUps(database, messages).create(
            args.consultation, texts, acting_author(args), _now()
        )
        print(
            f"Follow-up {follow_up.id} of {follow_up.consultation_id} stored as a draft: no "
            f"resident sees it until it is sent; {asking} residents asked for the follow-ups. "
            f"Send it with: consultbot followups send {follow_up.id}"
        )
        return 0

    return run_with_team_messages(args, use)


def _send(args: argparse.Namespace) -> int:
    if not 0 < args.per_second <= 30:
        print("error: --per-second must be more than 0 and at most 30 (Telegram's limit)")
        return 2

    async def use(messages: TeamMessages, database: Database) -> int:
        from bot.follow_ups import FollowUps, Pace

        handled = 0

        def note(_: int) -> None:
            nonlocal handled
            handled += 1
            if handled % 100 == 0:
                print(f"  {handled} handed out", flush=True)

        service = FollowUps(database, messages)
        await service.release(args.follow_up, acting_author(args), _now())
        progress = await service.send(
            args.follow_up, now=_now, pace=Pace(args.per_second), on_progress=note
        )
        _print_progress(progress)
        return 0

    return run_with_team_messages(args, use)


def _status(args: argparse.Namespace) -> int:
    async def use(messages: TeamMessages, database: Database) -> int:
        from bot.follow_ups import FollowUpError, FollowUps
        from storage import follow_ups

        async with database.transaction() as session:
            if await follow_ups.get(session, args.follow_up) is None:
                raise FollowUpError(f"there is no follow-up {args.follow_up}")
        _print_progress(await FollowUps(database, messages).progress(args.follow_up))
        return 0

    return run_with_team_messages(args, use)


def _list(args: argparse.Namespace) -> int:
    async def use(messages: TeamMessages, database: Database) -> int:
        from storage import follow_ups

        async with database.transaction() as session:
            found = await follow_ups.of_consultation(session, args.consultation)
        if not found:
            print(f"No follow-up of {args.consultation} yet.")
        for follow_up in found:
            print(
                f"{follow_up.id}  {follow_up.created_at:%Y-%m-%d %H:%M} UTC  by "
                f"{follow_up.author}  ({', '.join(sorted(follow_up.texts))})"
            )
        return 0

    return run_with_team_messages(args, use)
