"""`consultbot telegram ...`: manage the Telegram bot's registration.

- `set-webhook`: once per deployment, tell Telegram to POST updates to
  `telegram.webhook_url` with the secret `CONSULTBOT_TELEGRAM__WEBHOOK_SECRET`
  (and register the command menu);
- `delete-webhook`: back to polling (development);
- `webhook-info`: what Telegram has registered, and how many updates wait;
- `poll`: run the bot alone by long polling (development, small deployments),
  until Ctrl-C or SIGTERM, which finish the updates in progress.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

_HOW_TO = """\
Setting up the Telegram channel:
  1. Create a bot with @BotFather and keep its token in the environment:
       export CONSULTBOT_TELEGRAM__BOT_TOKEN=123456:ABC...
  2. Development or a small deployment: long polling, no public address needed.
       consultbot serve            (web chat + Telegram), or
       consultbot telegram poll    (Telegram alone)
  3. Production: a public HTTPS address that Telegram calls.
       export CONSULTBOT_TELEGRAM__WEBHOOK_URL=https://consult.example.fr/telegram/webhook
       export CONSULTBOT_TELEGRAM__WEBHOOK_SECRET=<32 random characters of A-Z a-z 0-9 _ ->
       consultbot telegram set-webhook     (once per deployment)
       consultbot serve                    (updates arrive at the URL's path)
  A self-hosted Bot API server: CONSULTBOT_TELEGRAM__API_BASE_URL=http://host:8081/bot
  Never poll with the production bot's token: polling and a webhook exclude each other.
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "telegram",
        help="manage the Telegram bot",
        description="Manage the Telegram bot's registration, or run it alone.",
        epilog=_HOW_TO,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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

    poll = commands.add_parser("poll", help="run the bot by long polling (no web server)")
    poll.set_defaults(handler=_poll)

    for command in (set_hook, delete, info, poll):
        command.add_argument("--config", type=Path, help="configuration file (config.yml)")


def _settings(args: argparse.Namespace) -> Any:
    from bot.config import load_settings

    return load_settings(args.config)


def _set_webhook(args: argparse.Namespace) -> int:
    from bot.channels.telegram.bot import set_webhook

    url = asyncio.run(set_webhook(_settings(args)))
    print(f"Telegram will send updates to {url}")
    return 0


def _delete_webhook(args: argparse.Namespace) -> int:
    from bot.channels.telegram.bot import delete_webhook

    asyncio.run(delete_webhook(_settings(args), drop_pending_updates=args.drop_pending_updates))
    print("Webhook deleted: the bot can poll (never with the production bot's token).")
    return 0


def _webhook_info(args: argparse.Namespace) -> int:
    from bot.channels.telegram.bot import webhook_info

    info = asyncio.run(webhook_info(_settings(args)))
    print(f"url: {info.url or '(none: polling)'}")
    print(f"pending updates: {info.pending_update_count}")
    if info.last_error_message:
        print(f"last error: {info.last_error_message}")
    return 0


def _poll(args: argparse.Namespace) -> int:
    from bot.errors import ConfigError

    settings = _settings(args)
    if settings.telegram.webhook_url is not None:
        raise ConfigError(
            "telegram.webhook_url is set: updates go to `consultbot serve`; unset it "
            "(and run `consultbot telegram delete-webhook`) to poll"
        )
    asyncio.run(_run_polling(settings))
    return 0


async def _run_polling(settings: Any) -> None:
    import signal

    from bot.channels.telegram.bot import running_bot
    from bot.startup import open_serving

    service = await open_serving(settings)
    try:
        # With the database: one poller per deployment (on PostgreSQL one polls
        # and the others stand by; on SQLite a second one is refused).
        async with running_bot(settings, service, database=service.database) as bot:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)
            print(f"Polling as @{bot.application.bot.username}; Ctrl-C to stop.", flush=True)
            await stop.wait()
    finally:
        await service.close()
