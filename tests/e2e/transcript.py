"""Play a script through the simulator (bot/simulation.py: the real conversation
service on a temporary database, as `consultbot simulate --script --effects`
does) and check its transcript step by step."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings
from bot.simulation import simulation
from flows.loader import read_flow_text
from tests.serving import shared_interpreter

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "flows" / "examples"

# One step: what the resident sends, then texts the bot's answer must contain;
# a text starting with "!" must NOT be in it.
Step = tuple[str, ...]


@dataclass(frozen=True)
class Turn:
    said: str
    heard: str


def simulate(
    flow: str, lines: list[str], *, today: str | None = None, lang: str | None = None
) -> list[Turn]:
    """The transcript of `lines` sent to the bundled flow `flow`, with effects."""

    async def converse() -> str:
        out = io.StringIO()
        async with simulation(
            read_flow_text(EXAMPLES / flow),
            str(EXAMPLES / flow),
            Settings(),
            language=lang,
            today=None if today is None else dt.date.fromisoformat(today),
            interpreter=shared_interpreter(),
            show_effects=True,
        ) as simulated:
            await simulated.play(lines, out, echo=True, start=False)
        return out.getvalue()

    return parse(asyncio.run(converse()))


def parse(transcript: str) -> list[Turn]:
    """Split a transcript at the resident's lines ("> ..." after a blank line)."""
    blocks = re.split(r"(?:^|\n)\n> ", transcript)
    turns = []
    for block in blocks[1:]:
        said, _, heard = block.partition("\n")
        turns.append(Turn(said, heard))
    return turns


def play(
    flow: str, steps: list[Step], *, today: str | None = None, lang: str | None = None
) -> list[Turn]:
    """Send each step's message; check the bot's answer to it."""
    turns = simulate(flow, [step[0] for step in steps], today=today, lang=lang)
    assert [turn.said for turn in turns] == [step[0] for step in steps]
    for number, (step, turn) in enumerate(zip(steps, turns, strict=True), start=1):
        for expected in step[1:]:
            where = f"step {number} ({step[0]!r}): the bot said:\n{turn.heard}"
            if expected.startswith("!"):
                assert expected[1:] not in turn.heard, where
            else:
                assert expected in turn.heard, where
    return turns
