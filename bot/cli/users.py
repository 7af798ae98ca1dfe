"""`consultbot users add|list|disable|reset`: console accounts.

`add` and `reset` print a one-time link, valid 24 hours, where the person
chooses their password; give it to them over a channel you trust. Nothing
else about a password is ever shown or stored in clear.
"""

from __future__ import annotations

import argparse
import getpass
from typing import TYPE_CHECKING, Any

from bot.cli.db import add_config_option, with_database

if TYPE_CHECKING:
    from bot.console.accounts import Accounts
    from storage.database import Database

ROLES = ("moderator", "organizer", "admin")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "users",
        help="console accounts: add, list, disable, reset",
        description="Manage the people who sign in to the console at /console/.",
    )
    actions = parser.add_subparsers(dest="users_action", required=True, metavar="ACTION")

    add = actions.add_parser("add", help="add an account; prints its one-time link")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument(
        "--consultation",
        action="append",
        default=None,
        metavar="ID",
        help="limit a moderator to this consultation (repeatable; default: all)",
    )
    add_config_option(add)
    add.set_defaults(handler=_add)

    listing = actions.add_parser("list", help="list the accounts")
    add_config_option(listing)
    listing.set_defaults(handler=_list)

    disable = actions.add_parser("disable", help="disable an account and sign it out")
    disable.add_argument("email")
    add_config_option(disable)
    disable.set_defaults(handler=_disable)

    reset = actions.add_parser(
        "reset", help="forget the password, sign out everywhere; prints a new one-time link"
    )
    reset.add_argument("email")
    reset.add_argument("--2fa", dest="second_factor", action="store_true", help="also drop TOTP")
    add_config_option(reset)
    reset.set_defaults(handler=_reset)


def _operator() -> str:
    return f"cli:{getpass.getuser()}"


def _with_accounts(args: argparse.Namespace, use: Any) -> int:
    from bot.config import load_settings
    from bot.console.accounts import Accounts
    from bot.console.totp import TotpCipher
    from bot.keys import Keys

    settings = load_settings(getattr(args, "config", None))
    cipher = TotpCipher(Keys.from_settings(settings))

    async def run(database: Database) -> int:
        await database.check_schema()
        result: int = await use(Accounts(database, settings, cipher))
        return result

    return with_database(args, run)


def _add(args: argparse.Namespace) -> int:
    from storage.models import ConsoleRole

    async def add(accounts: Accounts) -> int:
        link = await accounts.add(
            args.email, ConsoleRole(args.role), by=_operator(), consultations=args.consultation
        )
        print(f"added {link.user.email} ({link.user.role.value})")
        print(f"one-time link to set the password (until {link.expires_at:%Y-%m-%d %H:%M} UTC):")
        print(link.url)
        return 0

    return _with_accounts(args, add)


def _list(args: argparse.Namespace) -> int:
    async def show(accounts: Accounts) -> int:
        users = await accounts.users()
        for user in users:
            state = "disabled" if not user.active else "active"
            if user.active and user.password_hash is None:
                state = "no password yet"
            scope = ", ".join(sorted(user.consultations)) if user.consultations else "all"
            totp = "2FA" if user.uses_totp else "no 2FA"
            print(f"{user.email}  {user.role.value}  {state}  {totp}  consultations: {scope}")
        if not users:
            print("no accounts; add one: consultbot users add EMAIL --role admin")
        return 0

    return _with_accounts(args, show)


def _disable(args: argparse.Namespace) -> int:
    async def disable(accounts: Accounts) -> int:
        user = await accounts.disable(args.email, by=_operator())
        print(f"disabled {user.email}; signed out everywhere")
        return 0

    return _with_accounts(args, disable)


def _reset(args: argparse.Namespace) -> int:
    async def reset(accounts: Accounts) -> int:
        link = await accounts.reset(args.email, by=_operator(), second_factor=args.second_factor)
        print(f"reset {link.user.email}; signed out everywhere")
        print(f"one-time link to set the password (until {link.expires_at:%Y-%m-%d %H:%M} UTC):")
        print(link.url)
        return 0

    return _with_accounts(args, reset)
