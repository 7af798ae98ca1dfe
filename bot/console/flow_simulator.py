"""The console's simulator: an organizer talks to an uploaded flow, not yet
deployed, through the real conversation service and answer understanding
(bot.simulation, as `consultbot simulate`), and nothing is stored.

No state on the server: the page's form carries the flow's text and what the
organizer wrote so far; each message replays the whole conversation on a new
temporary SQLite database, deleted straight after (about 0.3 s for a dozen
messages). A conversation is at most MAX_MESSAGES messages.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Final

from aiohttp import web

from bot.console.flow_pages import PASTED, checked_page, form_flow
from bot.console.guard import STATE
from bot.errors import UserError
from bot.simulation import simulation
from bot.understanding import build_interpreter
from nlu import Interpreter

MAX_MESSAGES: Final = 40
MAX_MESSAGE_CHARS: Final = 2000
# Built once (it reads the training files), on first use.
INTERPRETER: Final = web.AppKey("console_simulator_interpreter", list[Interpreter])


async def simulate(request: web.Request) -> web.Response:
    form, checked = await form_flow(request)
    if checked.flow is None or checked.text is None:
        return checked_page(request, checked, status=400)
    said = [str(line)[:MAX_MESSAGE_CHARS] for line in form.getall("said", [])]
    message = str(form.get("message", "")).strip()[:MAX_MESSAGE_CHARS]
    if form.get("action") == "restart":
        said = []
    elif message:
        said.append(message)
    said = said[-MAX_MESSAGES:]
    language = str(form.get("language", ""))
    if language not in checked.flow.languages:
        language = checked.flow.languages[0]
    today = _day(str(form.get("today", "")))
    try:
        transcript = await _converse(request, checked.text, checked.source, language, said, today)
    except UserError as wrong:
        return checked_page(request, checked, error=str(wrong), status=400)
    return checked_page(
        request, checked, transcript=transcript, said=said, language=language, today=today
    )


async def _converse(
    request: web.Request,
    text: str,
    source: str,
    language: str,
    said: list[str],
    today: dt.date | None,
) -> list[tuple[str, str]]:
    """The conversation replayed: ("bot" | "resident", text) in order."""
    settings = request.app[STATE].settings
    kept = request.app[INTERPRETER]
    if not kept:
        kept.append(await asyncio.to_thread(build_interpreter, settings))
    transcript: list[tuple[str, str]] = []
    async with simulation(
        text, source or PASTED, settings, language=language, today=today, interpreter=kept[0]
    ) as simulated:
        transcript += [("bot", reply) for reply in await simulated.send("/start")]
        for line in said:
            transcript.append(("resident", line))
            transcript += [("bot", reply) for reply in await simulated.send(line)]
    return transcript


def _day(value: str) -> dt.date | None:
    """ "Pretend it is" (to try a flow before it opens); empty or not a date: today."""
    try:
        return dt.date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None
