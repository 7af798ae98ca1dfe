"""`consultbot simulate PATH`: talk to a flow in the terminal, through the real
conversation service (bot/simulation.py), so organizers can dry-run a flow
before deploying it. Nothing is kept: the flow lives on a temporary database.

Interactive by default (prompt "> "; the bot speaks first, as after Telegram's
/start); `--script FILE` sends one message a line and prints the whole transcript.
Besides what a resident may type, three lines act on the simulation itself:
`/start` opens the conversation as Telegram's /start does, `/lang CODE` switches
the conversation's language, `/return` plays a resident coming back after their
session expired.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="talk to a flow in the terminal (nothing is stored)",
        description=(
            "Talk to a flow in the terminal through the real conversation service, on "
            "a temporary database: nothing is kept. Type as a resident would; '/start' "
            "opens the conversation, '/lang en' switches language, '/return' plays a "
            "resident back after their session expired; Ctrl-D ends."
        ),
    )
    parser.add_argument("path", type=Path, help="the flow file (.yml)")
    parser.add_argument(
        "--lang", help="the resident's language (default: the flow's first language)"
    )
    parser.add_argument(
        "--script",
        type=Path,
        metavar="FILE",
        help="send one message per line of FILE (blank lines and lines starting "
        "with '#' are skipped) and print the transcript",
    )
    parser.add_argument(
        "--today",
        type=_day,
        metavar="YYYY-MM-DD",
        help="pretend it is this day (to try a flow before it opens)",
    )
    parser.add_argument("--effects", action="store_true", help="also print what the bot stored")
    parser.add_argument(
        "--config", type=Path, default=None, help="config file (default: ./config.yml)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bot.config import load_settings
    from bot.simulation import read_script, simulation
    from flows.loader import read_flow_text

    script = None if args.script is None else read_script(args.script)
    settings = load_settings(args.config)

    async def converse() -> None:
        text = read_flow_text(args.path)
        async with simulation(
            text,
            str(args.path),
            settings,
            language=args.lang,
            today=args.today,
            show_effects=args.effects,
        ) as simulated:
            if script is not None:
                await simulated.play(script, sys.stdout, echo=True, start=False)
            else:
                title = simulated.flow.title.get(simulated.language)
                print(f"({title}: type as a resident would; Ctrl-D ends)", flush=True)
                await simulated.play(_typed_lines(), sys.stdout, echo=False, start=True)

    asyncio.run(converse())  # a reader gone (`| head`) is the CLI's (bot.cli.main)
    return 0


def _typed_lines() -> Iterator[str]:
    from bot.simulation import PROMPT

    # Line editing and history at the prompt, where the platform has them.
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401
    while True:
        try:
            yield input(PROMPT)
        except EOFError:
            print()
            return


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None
