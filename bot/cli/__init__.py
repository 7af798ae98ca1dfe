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
# The status of a command cut short by its reader going away (`consultbot export
# ... | head -1`): 141, what a shell reports for a Unix tool ended by SIGPIPE
# (`yes | head -1`), so that a `set -o pipefail` script knows the output was cut
# short rather than taking part of an export for all of it. Quietly: no message,
# no traceback. A command that had failed keeps its status.
READER_GONE = 141


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
    code = _run(args.handler, args)
    try:
        sys.stdout.flush()  # here rather than at exit, where Python would complain
    except BrokenPipeError:
        _to_nowhere()
        return code or READER_GONE  # a failure keeps its own status
    return code


def _run(handler: Handler, args: argparse.Namespace) -> int:
    try:
        return handler(args)
    except BrokenPipeError:
        _to_nowhere()
        return READER_GONE
    except USER_ERRORS as error:
        print(f"consultbot: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _to_nowhere() -> None:
    """Whoever read standard output stopped reading (`| head`): what is left
    unsent goes nowhere, quietly, instead of failing again at each write and as
    Python flushes standard output at exit."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
