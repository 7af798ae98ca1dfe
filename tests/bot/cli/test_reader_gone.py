"""A command whose reader stops reading (`consultbot audit | head`) ends
quietly, as an operator runs it: real processes joined by a real pipe. It
fails as other Unix tools do there (141, a shell's status for a process ended
by SIGPIPE), so a `set -o pipefail` script knows the output was cut short."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from pathlib import Path

import pytest

from storage import audit
from storage.database import Database
from tests.bot.cli.running import ROOT
from tests.bot.exports.seeding import SECRET, Resident, contribute, deploy

EXAMPLES = ROOT / "flows" / "examples"
LYCEES = str(EXAMPLES / "lycees.yml")
SIMULATE = (
    "simulate",
    str(EXAMPLES / "mobilite.yml"),
    "--script",
    str(EXAMPLES / "mobilite.script.txt"),
)
# Far more than a pipe holds (64 KiB) and head reads: the command must write
# after head has gone, whatever the timing.
RECORDS = 5000
SIGPIPE_STATUS = 141  # 128 + SIGPIPE, as `yes | head -1` reports for yes


def environment(database_url: str, **environ: str) -> dict[str, str]:
    """An operator's: standard output to a pipe is buffered (as without
    PYTHONUNBUFFERED), so a small output fails only when flushed at the end
    and a large one as it is written; both are tested."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CONSULTBOT_") and key != "PYTHONUNBUFFERED"
    }
    env.update(PYTHONPATH=str(ROOT), CONSULTBOT_DATABASE_URL=database_url, **environ)
    return env


async def into_head(*args: str, cwd: Path, database_url: str) -> tuple[int, str, str]:
    """`consultbot ARGS | head -n 1`: its status, its standard error, and the
    line head printed."""
    read, write = os.pipe()
    env = environment(database_url)
    command = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", *args),
        cwd=cwd,
        env=env,
        stdout=write,
        stderr=asyncio.subprocess.PIPE,
    )
    head = await asyncio.create_subprocess_exec(
        "head", "-n", "1", stdin=read, stdout=asyncio.subprocess.PIPE
    )
    os.close(read)  # head and the command hold the pipe's two ends alone
    os.close(write)
    try:
        line, _ = await asyncio.wait_for(head.communicate(), 120)
        _, err = await asyncio.wait_for(command.communicate(), 120)
    finally:
        for process in (command, head):
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert command.returncode is not None
    return command.returncode, err.decode(), line.decode()


@pytest.fixture
async def audited(database: Database) -> Database:
    """A database whose audit log holds many records of the last days."""
    now = dt.datetime.now(dt.UTC)
    async with database.transaction() as session:
        for number in range(RECORDS):
            await audit.record(
                session,
                "answer.approve",
                {"answers": 1},
                now=now - dt.timedelta(seconds=number),
                details={"reason": "a reason long enough to fill the pipe quickly"},
                actor="moderator@region.example",
                subject=f"answer:{number}",
            )
    return database


@pytest.mark.parametrize(
    "args",
    [("audit", "--since", "7d"), ("audit", "--since", "7d", "--csv")],
    ids=["audit", "audit --csv"],
)
async def test_a_command_piped_into_head_ends_quietly(audited, database_url, tmp_path, args):
    code, err, line = await into_head(*args, cwd=tmp_path, database_url=database_url)
    assert line  # head had its line
    assert err == ""  # no BrokenPipeError, no traceback, no "Exception ignored"
    assert code == SIGPIPE_STATUS


async def gone_before_it_writes(
    *args: str, cwd: Path, database_url: str, **environ: str
) -> tuple[int, str]:
    """`consultbot ARGS` writing into a pipe whose reader closed before it
    started: its first write fails. Its status and standard error."""
    read, write = os.pipe()
    os.close(read)
    env = environment(database_url, **environ)
    command = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", *args),
        cwd=cwd,
        env=env,
        stdout=write,
        stderr=asyncio.subprocess.PIPE,
    )
    os.close(write)
    _, err = await asyncio.wait_for(command.communicate(), 120)
    assert command.returncode is not None
    return command.returncode, err.decode()


@pytest.mark.parametrize(
    "args",
    [("flows", "show", LYCEES), ("flows", "list"), ("audit", "--csv"), SIMULATE],
    ids=["flows show", "flows list", "audit --csv", "simulate"],
)
async def test_any_command_whose_reader_is_gone_before_it_writes_ends_quietly(
    database_url, tmp_path, args
):
    code, err = await gone_before_it_writes(*args, cwd=tmp_path, database_url=database_url)
    assert err == ""
    assert code == SIGPIPE_STATUS


async def test_a_command_that_failed_keeps_its_status_when_its_reader_is_gone(tmp_path):
    # Its output was still held when it failed: the failure is what it reports.
    broken = str(ROOT / "tests" / "flows" / "invalid" / "number_too_long.yml")
    code, err = await gone_before_it_writes(
        *("flows", "validate", str(EXAMPLES / "mobilite.yml"), broken),
        cwd=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'consultbot.db'}",
    )
    assert code == 1
    assert err.splitlines() == [
        f"{broken}: 1 problem",
        f"  {broken}:9: the number 999999999999… (5000 digits) is too long. Hint: a number "
        "in a flow has at most 15 digits",
        "1 of 2 files have problems",
    ]


async def test_an_export_whose_reader_is_gone_fails_quietly(database, database_url, tmp_path):
    """`consultbot export velo | head -1` in a script: the file it was to make is
    cut short, and the script is told so."""
    await contribute(database, await deploy(database), [Resident(), Resident(language="en")])
    code, err = await gone_before_it_writes(
        *("export", "velo", "--format", "csv"),
        cwd=tmp_path,
        database_url=database_url,
        CONSULTBOT_SECRET_KEY=SECRET,
    )
    assert err == ""
    assert code == SIGPIPE_STATUS
