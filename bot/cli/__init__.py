"""The `consultbot` command.

Each module of this package that defines `register(subparsers)` adds its own
subcommands; modules import heavy dependencies inside their handlers so that
`consultbot --help` and light commands stay fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Callable, Sequence

from bot.errors import UserError
from flows.errors import FlowError
from storage.errors import StorageError

Handler = Callable[[argparse.Namespace], int]
USER_ERRORS: tuple[type[Exception], ...] = (UserError, FlowError, StorageError)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="consultbot",
        description="Take residents' contributions to public consultations by chat.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # The process opts in to python-telegram-bot's coming timedelta durations:
    # reading the old int ones (RetryAfter.retry_after, read inside PTB itself)
    # warns on every 429. Set here, at start-up, not by the Telegram channel.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except USER_ERRORS as error:
        print(f"consultbot: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
