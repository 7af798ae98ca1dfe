"""`consultbot human list|show|reply|done`: answer residents who asked for a
person ("humain" / "human"), without the console.

    consultbot human list [--consultation ID ...]   who waits, oldest first
    consultbot human show SESSION                   the conversation, both sides
    consultbot human reply SESSION "text"           write to the resident, in their channel
    consultbot human done SESSION [--reopen]        out of the list (or back in)

Each is recorded in the audit log with who ran it (`--by WHO`, default
`cli:<login>`), never with the text. The work is done by bot.team_messages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
from typing import TYPE_CHECKING, Any

from bot.cli.db import add_config_option, with_database

if TYPE_CHECKING:
    from bot.channels.webchat_push import WebChatPush
    from bot.config import Settings
    from bot.team_messages import Conversation, TeamMessages
    from storage.database import Database


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "human",
        help="answer residents who asked for a person",
        description="List the conversations whose resident asked for a person, read one, "
        "reply in the resident's own channel (Telegram, web chat, REST), mark it handled.",
    )
    actions = parser.add_subparsers(dest="human_action", required=True, metavar="ACTION")

    listing = actions.add_parser("list", help="conversations waiting for a reply, oldest first")
    listing.add_argument(
        "--consultation",
        action="append",
        metavar="ID",
        help="only this consultation (repeat for several)",
    )
    listing.add_argument("--limit", type=int, default=100, help="at most this many (100)")
    _common(listing)
    listing.set_defaults(handler=_list)

    show = actions.add_parser("show", help="a conversation as the resident saw it")
    show.add_argument("session", type=int, metavar="SESSION", help="its number, from `list`")
    _common(show)
    show.set_defaults(handler=_show)

    reply = actions.add_parser("reply", help="write to the resident, in their channel")
    reply.add_argument("session", type=int, metavar="SESSION", help="its number, from `list`")
    reply.add_argument("text", help="what the resident will read (quote it)")
    reply.add_argument("--done", action="store_true", help="also mark the request handled")
    _common(reply)
    reply.set_defaults(handler=_reply)

    done = actions.add_parser("done", help="mark the request handled (out of the list)")
    done.add_argument("session", type=int, metavar="SESSION", help="its number, from `list`")
    done.add_argument("--reopen", action="store_true", help="put it back in the list instead")
    _common(done)
    done.set_defaults(handler=_done)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--by",
        dest="author",
        default=None,
        metavar="WHO",
        help="who is acting, for the audit log (default: cli:USER)",
    )
    add_config_option(parser)


def acting_author(args: argparse.Namespace) -> str:
    if args.author:
        return str(args.author)
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def run_with_team_messages(args: argparse.Namespace, use: Any) -> int:
    """Open the database and the team messages service; run `use(messages, database)`."""
    from bot.config import load_settings

    settings = load_settings(getattr(args, "config", None))

    async def run(database: Database) -> int:
        from bot.team_messages import TeamMessages

        await database.check_schema()
        push = await _push(database, settings)
        messages = TeamMessages.for_settings(database, settings, web=push)
        try:
            code: int = await use(messages, database)
            return code
        finally:
            await messages.close()
            if push is not None:
                await push.close()

    return with_database(args, run)


async def _push(database: Database, settings: Settings) -> WebChatPush | None:
    """On PostgreSQL, the way to the chats open in the `serve` processes. On
    SQLite they are out of reach from here (one process serves them): a reply
    is shown when the resident next opens the chat or writes."""
    if database.backend != "postgresql":
        return None
    from bot.channels.webchat_push import WebChatPush
    from bot.keys import Keys
    from bot.pseudonyms import Pseudonymizer

    pseudonyms = Pseudonymizer(Keys.from_settings(settings))
    return await WebChatPush.start(database, pseudonyms.pseudonym)


async def _audit(
    database: Database, action: str, count: int, actor: str, subject: str | None
) -> None:
    from storage import audit

    async with database.transaction() as session:
        await audit.record(
            session, action, {"sessions": count}, now=_now(), actor=actor, subject=subject
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _time(moment: dt.datetime | None) -> str:
    return "-" if moment is None else f"{moment:%Y-%m-%d %H:%M}"


def _list(args: argparse.Namespace) -> int:
    async def use(messages: TeamMessages, database: Database) -> int:
        waiting = await messages.inbox(consultations=args.consultation, limit=args.limit)
        await _audit(database, "human.list", len(waiting), acting_author(args), None)
        if not waiting:
            print("No resident is waiting for a reply.")
            return 0
        print(f"{len(waiting)} conversations wait for a reply, oldest first:")
        rows = [("SESSION", "ASKED (UTC)", "CONSULTATION", "CHANNEL", "TEAM MESSAGES")]
        rows += [
            (
                str(r.session_id),
                _time(r.requested_at),
                r.consultation_id,
                r.channel or "-",
                str(r.team_messages),
            )
            for r in waiting
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            print("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        return 0

    return run_with_team_messages(args, use)


def _show(args: argparse.Namespace) -> int:
    from bot.team_messages import subject

    async def use(messages: TeamMessages, database: Database) -> int:
        conversation = await messages.conversation(args.session)
        await _audit(database, "transcript.read", 1, acting_author(args), subject(args.session))
        print(_render(conversation))
        return 0

    return run_with_team_messages(args, use)


def _render(conversation: Conversation) -> str:
    from storage.models import Direction

    request = conversation.request
    if request.requested_at is None:
        state = "the resident did not ask for a person"
    elif request.handled_at is None:
        state = f"asked for a person {_time(request.requested_at)} UTC, waiting"
    else:
        state = (
            f"asked for a person {_time(request.requested_at)} UTC, handled by "
            f"{request.handled_by} {_time(request.handled_at)} UTC"
        )
    lines = [
        f"Conversation {request.session_id} · {request.consultation_id} · "
        f"{request.channel or 'erased'} · {state}"
    ]
    for line in conversation.transcript:
        who = "resident" if line.direction is Direction.IN else "team" if line.from_team else "bot"
        text = line.text.replace("\n", "\n" + " " * 28)
        lines.append(f"{_time(line.at)}  {who:<8}  {text}")
    if conversation.messages:
        lines.append("Team messages:")
        lines.extend(
            f"  {_time(m.created_at)}  by {m.author}: {m.state}"
            + (f" {_time(m.delivered_at)}" if m.delivered_at else "")
            for m in conversation.messages
        )
    return "\n".join(lines)


_SAID = {
    "delivered": "delivered: the resident's channel has it",
    "queued": "queued: the resident sees it when they next open the chat or write",
    "unreachable": "not delivered: the resident blocked the bot; it is sent if they write again",
    "erased": "not sent: the conversation no longer exists (erased by the resident)",
}


def _reply(args: argparse.Namespace) -> int:
    from bot.team_messages import Outcome

    async def use(messages: TeamMessages, database: Database) -> int:
        author = acting_author(args)
        outcome = await messages.reply(args.session, args.text, author, _now())
        print(f"conversation {args.session}: {_SAID[outcome.value]}")
        if args.done and outcome is not Outcome.ERASED:
            await messages.mark_handled(args.session, True, author, _now())
            print(f"conversation {args.session}: marked handled")
        return 0 if outcome in (Outcome.DELIVERED, Outcome.QUEUED) else 1

    return run_with_team_messages(args, use)


def _done(args: argparse.Namespace) -> int:
    async def use(messages: TeamMessages, database: Database) -> int:
        handled = not args.reopen
        changed = await messages.mark_handled(args.session, handled, acting_author(args), _now())
        if handled:
            said = "marked handled" if changed else "was already handled"
        else:
            said = "back in the list" if changed else "was already in the list"
        print(f"conversation {args.session}: {said}")
        return 0

    return run_with_team_messages(args, use)
