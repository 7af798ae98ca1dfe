"""`consultbot webhooks add|list|disable|enable|replay`: where events are pushed.

`add` prints the endpoint's signing secret once (`whsec_...`); the receiver
verifies each delivery with it (Standard Webhooks). Changes reach a running
`consultbot serve` (or `consultbot deliver`) within a second, no restart.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bot.api.vocabulary import EVENT_TYPES
from bot.cli.db import add_config_option, with_database
from bot.errors import UserError

if TYPE_CHECKING:
    from storage.database import Database


class WebhookError(UserError):
    """A webhook command that cannot be carried out."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "webhooks",
        help="push events to the consultation engine (signed webhooks)",
        description="Endpoints that receive the events, signed as Standard Webhooks.",
    )
    actions = parser.add_subparsers(dest="webhooks_action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add an endpoint; prints its secret once")
    add.add_argument("url", type=_url, help="where to POST events (https://...)")
    add.add_argument(
        "--events",
        type=_events,
        default=EVENT_TYPES,
        help=f"comma-separated event types (default: all: {','.join(EVENT_TYPES)})",
    )
    add_config_option(add)
    add.set_defaults(handler=_add)
    listing = actions.add_parser("list", help="endpoints, what they got, failures")
    add_config_option(listing)
    listing.set_defaults(handler=_list)
    for name, text in (("disable", "stop sending (the backlog is kept)"), ("enable", "resume")):
        action = actions.add_parser(name, help=text)
        action.add_argument("id", type=int, help="the endpoint's number (see list)")
        add_config_option(action)
        action.set_defaults(handler=_switch, enabled=name == "enable")
    replay = actions.add_parser("replay", help="send again the events since a date")
    replay.add_argument("id", type=int, nargs="?", help="one endpoint (default: all)")
    replay.add_argument("--since", required=True, type=_date, help="YYYY-MM-DD[THH:MM] UTC")
    add_config_option(replay)
    replay.set_defaults(handler=_replay)


def _url(value: str) -> str:
    """An http(s) URL every delivery can be sent to: one that cannot (a port
    past 65535, a space pasted with it) is refused here, not taken and failed
    for 3 days before the endpoint is disabled."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{value!r} is not an http(s) URL")
    if any(character.isspace() for character in value):
        raise argparse.ArgumentTypeError(f"{value!r}: a URL has no spaces")
    try:
        port = parts.port  # urlsplit checks the port only when it is read
    except ValueError:
        port = 0
    if port == 0:
        raise argparse.ArgumentTypeError(f"{value!r}: its port must be a number from 1 to 65535")
    return value


def _events(value: str) -> tuple[str, ...]:
    wanted = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [name for name in wanted if name not in EVENT_TYPES]
    if unknown or not wanted:
        raise argparse.ArgumentTypeError(
            f"unknown event type {', '.join(unknown) or '(none)'}; known: {', '.join(EVENT_TYPES)}"
        )
    return wanted


def _date(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-12-01") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _add(args: argparse.Namespace) -> int:
    from bot.config import load_settings
    from bot.delivery.secrets import WebhookSecrets
    from bot.keys import resolve_secret_key
    from storage import outbox, webhooks

    sealer = WebhookSecrets(resolve_secret_key(load_settings(getattr(args, "config", None))))
    secret = sealer.new()

    async def add(database: Database) -> int:
        await database.check_schema()
        async with database.transaction() as session:
            start = await outbox.last_position(session)
            endpoint = await webhooks.add(
                session,
                args.url,
                args.events,
                sealer.seal(secret),
                start=start,
                now=dt.datetime.now(dt.UTC),
            )
        print(f"webhook {endpoint.id} -> {endpoint.url} ({', '.join(endpoint.events)})")
        print("its signing secret, shown once (give it to the receiver):")
        print(secret)
        return 0

    return with_database(args, add)


def _list(args: argparse.Namespace) -> int:
    from storage import webhooks

    async def show(database: Database) -> int:
        await database.check_schema()
        async with database.transaction() as session:
            endpoints = await webhooks.all_endpoints(session)
        if not endpoints:
            print("no webhook; add one with `consultbot webhooks add URL`")
        for e in endpoints:
            state = "enabled" if e.enabled else f"DISABLED: {e.disabled_reason or 'by hand'}"
            line = f"{e.id}\t{e.url}\t{state}\t{e.delivered} delivered\t{','.join(e.events)}"
            if e.failing_since is not None:
                line += (
                    f"\n\tFAILING since {e.failing_since:%Y-%m-%d %H:%M} UTC, "
                    f"{e.attempts} attempts, last error: {e.last_error}"
                )
                if e.next_attempt_at is not None and e.enabled:
                    line += f"; next attempt {e.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC"
            print(line)
        return 0

    return with_database(args, show)


def _switch(args: argparse.Namespace) -> int:
    from storage import webhooks

    async def switch(database: Database) -> int:
        await database.check_schema()
        async with database.transaction() as session:
            done = await webhooks.set_enabled(session, args.id, args.enabled)
        if not done:
            raise _unknown(args.id)
        print(f"webhook {args.id} {'enabled' if args.enabled else 'disabled (backlog kept)'}")
        return 0

    return with_database(args, switch)


def _replay(args: argparse.Namespace) -> int:
    from storage import outbox, webhooks

    async def replay(database: Database) -> int:
        await database.check_schema()
        async with database.transaction() as session:
            # An unknown one is refused, not counted among those that did not move.
            if args.id is not None and not await webhooks.exists(session, args.id):
                raise _unknown(args.id)
            position = await outbox.position_before(session, args.since)
            moved = 0 if position is None else await webhooks.rewind(session, args.id, position)
        print(f"{moved} webhook(s) will get again the events since {args.since:%Y-%m-%d %H:%M}")
        return 0

    return with_database(args, replay)


def _unknown(endpoint_id: int) -> WebhookError:
    return WebhookError(f"no webhook {endpoint_id}: `consultbot webhooks list` shows them")
