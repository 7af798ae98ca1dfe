"""`consultbot telegram ...`: manage the Telegram bot's registration.

- `set-webhook`: once per deployment, tell Telegram to POST updates to
  `telegram.webhook_url` with the secret `CONSULTBOT_TELEGRAM__WEBHOOK_SECRET`
  (and register the command menu);
- `delete-webhook`: back to polling (development);
- `webhook-info`: what Telegram has registered, and how many updates wait.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("telegram", help="manage the Telegram bot")
    commands = parser.add_subparsers(dest="telegram_command", required=True, metavar="ACTION")

    set_hook = commands.add_parser(
        "set-webhook", help="register telegram.webhook_url with Telegram (once per deployment)"
    )
    set_hook.set_defaults(handler=_set_webhook)

    delete = commands.add_parser("delete-webhook", help="unregister the webhook (to poll)")
    delete.add_argument(
        "--drop-pending-updates",
        action="store_true",
        help="also discard the updates Telegram is still holding",
    )
    delete.set_defaults(handler=_delete_webhook)

    info = commands.add_parser("webhook-info", help="show the webhook Telegram has registered")
    info.set_defaults(handler=_webhook_info)

    for command in (set_hook, delete, info):
        command.add_argument("--config", type=Path, help="configuration file (config.yml)")


def _settings(args: argparse.Namespace) -> Any:
    from bot.config import load_settings

    return load_settings(args.config)


def _set_webhook(args: argparse.Namespace) -> int:
    from bot.channels.telegram_bot import set_webhook

    url = asyncio.run(set_webhook(_settings(args)))
    print(f"Telegram will send updates to {url}")
    return 0


def _delete_webhook(args: argparse.Namespace) -> int:
    from bot.channels.telegram_bot import delete_webhook

    asyncio.run(delete_webhook(_settings(args), drop_pending_updates=args.drop_pending_updates))
    print("Webhook deleted: the bot can poll (never with the production bot's token).")
    return 0


def _webhook_info(args: argparse.Namespace) -> int:
    from bot.channels.telegram_bot import webhook_info

    info = asyncio.run(webhook_info(_settings(args)))
    print(f"url: {info.url or '(none: polling)'}")
    print(f"pending updates: {info.pending_update_count}")
    if info.last_error_message:
        print(f"last error: {info.last_error_message}")
    return 0
