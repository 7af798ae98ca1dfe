"""Run the `consultbot` command as a person would: a separate process."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


async def consultbot(
    *args: str, cwd: Path, database_url: str | None = None, **environ: str
) -> Outcome:
    """Run `consultbot ARGS` in `cwd`; settings come only from the arguments here,
    none from the environment of the test run."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CONSULTBOT_")}
    env.update(PYTHONPATH=str(ROOT), **environ)
    if database_url is not None:
        env["CONSULTBOT_DATABASE_URL"] = database_url
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return Outcome(process.returncode, out.decode(), err.decode())
