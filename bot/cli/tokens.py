"""`consultbot tokens create|list|revoke`: bearer tokens of the engine's pull API.

The token is printed once, when it is made; only its hash is stored.
"""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any

from bot.api.vocabulary import SCOPES, TOKEN_PREFIX
from bot.cli.db import add_config_option, with_database
from bot.errors import UserError

if TYPE_CHECKING:
    from storage.database import Database


class TokenError(UserError):
    """A token command that cannot be carried out."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "tokens",
        help="make, list and revoke tokens of the engine's pull API",
        description="Bearer tokens for /api/v1/. A token is shown once, when it is made.",
    )
    actions = parser.add_subparsers(dest="tokens_action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="make a token and print it once")
    create.add_argument("name", help="who or what uses it, e.g. decidim-region")
    create.add_argument(
        "--scope",
        action="append",
        required=True,
        type=_scope,
        help=f"what it may read: {' or '.join(SCOPES)} (repeat for both)",
    )
    add_config_option(create)
    create.set_defaults(handler=_create)
    listing = actions.add_parser("list", help="list the tokens (never their value)")
    add_config_option(listing)
    listing.set_defaults(handler=_list)
    revoke = actions.add_parser("revoke", help="revoke a token: refused from now on")
    revoke.add_argument("name")
    add_config_option(revoke)
    revoke.set_defaults(handler=_revoke)


def _scope(value: str) -> str:
    if value not in SCOPES:
        raise argparse.ArgumentTypeError(f"{value!r} is not a scope; use {' or '.join(SCOPES)}")
    return value


def _create(args: argparse.Namespace) -> int:
    from storage import api_tokens

    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    scopes = sorted(set(args.scope))

    async def create(database: Database) -> int:
        await database.check_schema()
        async with database.transaction() as session:
            made = await api_tokens.create(
                session, args.name, token, scopes, now=dt.datetime.now(dt.UTC)
            )
        if made is None:
            raise TokenError(
                f"a token named {args.name!r} exists: choose another name, "
                f"or revoke it first with `consultbot tokens revoke {args.name}`"
            )
        print(f"token {args.name!r} ({', '.join(scopes)}); shown once, store it now:")
        print(token)
        return 0

    return with_database(args, create)


def _list(args: argparse.Namespace) -> int:
    from storage import api_tokens

    async def show(database: Database) -> int:
        await database.check_schema()
        async with database.transaction() as session:
            tokens = await api_tokens.all_tokens(session)
        if not tokens:
            print("no token; make one with `consultbot tokens create NAME --scope ...`")
        for token in tokens:
            state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "active"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            print(
                f"{token.name}\t{','.join(token.scopes)}\t{state}\t"
                f"made {token.created_at:%Y-%m-%d %H:%M}\tlast used {used}"
            )
        return 0

    return with_database(args, show)


def _revoke(args: argparse.Namespace) -> int:
    from storage import api_tokens

    async def revoke(database: Database) -> int:
        await database.check_schema()
        async with database.transaction() as session:
            done = await api_tokens.revoke(session, args.name, now=dt.datetime.now(dt.UTC))
        if not done:
            raise TokenError(
                f"no active token named {args.name!r}: `consultbot tokens list` shows them"
            )
        print(f"token {args.name!r} revoked: refused from now on")
        return 0

    return with_database(args, revoke)
