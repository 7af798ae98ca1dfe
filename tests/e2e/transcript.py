"""Run `consultbot simulate --script` and check its transcript step by step."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main

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
    capsys: pytest.CaptureFixture[str], tmp_path: Path, flow: str, lines: list[str], *options: str
) -> list[Turn]:
    script = tmp_path / "script.txt"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = main(["simulate", str(EXAMPLES / flow), "--script", str(script), "--effects", *options])
    out = capsys.readouterr()
    assert out.err == ""
    assert code == 0
    return parse(out.out)


def parse(transcript: str) -> list[Turn]:
    """Split a transcript at the resident's lines ("> ..." after a blank line)."""
    blocks = re.split(r"(?:^|\n)\n> ", transcript)
    turns = []
    for block in blocks[1:]:
        said, _, heard = block.partition("\n")
        turns.append(Turn(said, heard))
    return turns


def play(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    flow: str,
    steps: list[Step],
    *options: str,
) -> list[Turn]:
    """Send each step's message; check the bot's answer to it."""
    turns = simulate(capsys, tmp_path, flow, [step[0] for step in steps], *options)
    assert [turn.said for turn in turns] == [step[0] for step in steps]
    for number, (step, turn) in enumerate(zip(steps, turns, strict=True), start=1):
        for expected in step[1:]:
            where = f"step {number} ({step[0]!r}): the bot said:\n{turn.heard}"
            if expected.startswith("!"):
                assert expected[1:] not in turn.heard, where
            else:
                assert expected in turn.heard, where
    return turns
