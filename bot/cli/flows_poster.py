"""`consultbot flows poster`: an A4 poster of a consultation with QR codes.

The consultation is a deployed one (its live version, by id) or a flow file
(to print posters before deploying). The links point at `server.public_url`
and at the bot `telegram.bot_username`; `--source` tags the web link with the
place the poster hangs in.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flows.model import Flow


def add_poster_command(commands: argparse._SubParsersAction[Any]) -> None:
    poster = commands.add_parser(
        "poster",
        help="make an A4 poster with QR codes for a consultation",
        description="Make an A4 poster of a consultation: its title, QR codes for the web chat "
        "and the Telegram bot, and the links written out. The format follows --out "
        "(.pdf, .png or .svg).",
    )
    poster.add_argument("consultation", help="a deployed consultation's id, or a flow file")
    poster.add_argument("--out", "-o", type=Path, required=True, help="poster.pdf|png|svg")
    poster.add_argument("--source", help="a tag for the place, added to the web link (?src=)")
    poster.add_argument("--lang", help="the poster's language (default: the flow's first)")
    poster.add_argument("--web-url", help="the public address of the web chat (server.public_url)")
    poster.add_argument("--telegram-bot", help="the bot's username (telegram.bot_username)")
    poster.add_argument("--config", type=Path, help="configuration file (default: config.yml)")
    poster.set_defaults(handler=poster_)


def poster_(args: argparse.Namespace) -> int:
    from bot.config import load_settings
    from bot.poster import PosterError, layout, links_for
    from bot.poster_rendering import FORMATS, render

    fmt = args.out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise PosterError(f"{args.out}: the file name must end in .pdf, .png or .svg")
    settings = load_settings(args.config)
    flow = asyncio.run(_flow(args.consultation, settings.database_url))
    language = args.lang or flow.languages[0]
    if language not in flow.languages:
        raise PosterError(
            f"'{flow.id}' is in {', '.join(flow.languages)}, not {language!r}: "
            "choose one with --lang"
        )
    links = links_for(
        flow.id,
        args.web_url or settings.server.public_url,
        args.telegram_bot or settings.telegram.bot_username,
        args.source,
    )
    data = render(layout(flow, links, language), fmt, flow.title.get(language))
    args.out.write_bytes(data)
    print(f"{args.out}: poster of '{flow.id}' ({language})")
    for link in (links.web, links.telegram):
        if link:
            print(f"  {link}")
    return 0


async def _flow(consultation: str, database_url: str) -> Flow:
    from bot.poster import PosterError
    from flows.loader import load_flow, parse_flow
    from storage import consultations
    from storage.database import Database

    path = Path(consultation)
    if path.suffix in (".yml", ".yaml"):
        return load_flow(path)
    async with await Database.connect(database_url) as database:
        await database.check_schema()
        async with database.transaction() as session:
            live = await consultations.live_version(session, consultation)
            known = [c.id for c in await consultations.overview(session)]
    if live is not None:
        return parse_flow(live.definition, f"{live.consultation_id} v{live.version}")
    raise PosterError(
        f"no consultation '{consultation}' is deployed"
        + (f" (deployed: {', '.join(known)})" if known else "")
        + "; give a deployed id or a flow file"
    )
