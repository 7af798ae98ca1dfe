"""`consultbot serve` as an operator runs it: a separate process, real HTTP,
real SQLite, stopped with SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from tests.bot.cli.running import ROOT
from tests.serving import DEMO

WEBHOOK = "/webhooks/rest/webhook"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    process: asyncio.subprocess.Process
    url: str
    port: int

    async def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGTERM)
        assert self.process.stderr is not None
        err = await asyncio.wait_for(self.process.stderr.read(), 60)
        return await asyncio.wait_for(self.process.wait(), 60), err.decode()


def environment(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CONSULTBOT_")}
    env.update(
        PYTHONPATH=str(ROOT),
        CONSULTBOT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'consultbot.db'}",
        CONSULTBOT_SECRET_KEY="serve-test-key-0123456789abcdef",
    )
    return env


async def start(tmp_path: Path, *args: str, **settings: str) -> asyncio.subprocess.Process:
    """`consultbot serve ARGS`; `settings`: more CONSULTBOT_ variables."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        *args,
        cwd=tmp_path,
        env={**environment(tmp_path), **settings},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def wait_ready(process: asyncio.subprocess.Process, url: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(6000):
            assert process.returncode is None, "consultbot serve exited early"
            try:
                async with session.get(url + "/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.01)
    raise AssertionError("consultbot serve never became ready")


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    port = free_port()
    process = await start(tmp_path, "--port", str(port))
    try:
        await wait_ready(process, f"http://127.0.0.1:{port}")
        yield Served(process, f"http://127.0.0.1:{port}", port)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def say(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> list[dict]:
    async with session.post(url + WEBHOOK, json={"sender": sender, "message": text}) as response:
        assert response.status == 200
        return await response.json()


async def test_serve_takes_a_consultation_and_stops_cleanly_on_sigterm(served):
    async with aiohttp.ClientSession() as session:
        replies = [await say(session, served.url, "resident", text) for text in DEMO]
        assert replies[-1][-1]["text"].startswith("Merci")
        async with session.get(served.url + "/") as page:
            assert page.status == 200
            assert "Mobilité en Centre-Val de Loire" in await page.text()
        async with session.get(served.url + "/healthz") as health:
            assert await health.json() == {"status": "ok"}
    code, err = await served.stop()
    assert code == 0
    assert f"serving on http://127.0.0.1:{served.port}/" in err
    assert "Traceback" not in err


async def test_sigterm_answers_the_messages_in_flight_and_loses_none(served, tmp_path):
    residents = [f"r{n}" for n in range(40)]
    async with aiohttp.ClientSession() as session:
        for resident in residents:
            await say(session, served.url, resident, "bonjour")

        async def consent(resident: str) -> str | None:
            try:
                async with session.post(
                    served.url + WEBHOOK, json={"sender": resident, "message": "oui"}
                ) as response:
                    assert response.status in (200, 503)
                    await response.json()
                    return resident if response.status == 200 else None
            except aiohttp.ClientConnectionError:
                return None  # refused once the server stopped listening: not taken

        sending = [asyncio.create_task(consent(resident)) for resident in residents]
        await asyncio.wait(sending, return_when=asyncio.FIRST_COMPLETED)  # others in flight
        code, err = await served.stop()
        answered = {resident for resident in await asyncio.gather(*sending) if resident}
    assert code == 0
    assert "Traceback" not in err
    # Restarted, the server knows exactly the residents whose consent was answered.
    port = free_port()
    process = await start(tmp_path, "--port", str(port))
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_ready(process, url)
        async with aiohttp.ClientSession() as session:
            for resident in residents:
                replies = await say(session, url, resident, "train")
                asked_satisfaction = any("1 à 5" in r["text"] for r in replies)
                assert asked_satisfaction == (resident in answered), resident
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()


async def test_a_taken_port_is_one_clear_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = await start(tmp_path, "--port", str(port))
        _, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 1
    assert f"consultbot: cannot listen on 127.0.0.1:{port}" in err.decode()
    assert "Traceback" not in err.decode()


@pytest.mark.parametrize("port", ["http", "0", "70000"])
async def test_a_wrong_port_is_refused(tmp_path, port):
    process = await start(tmp_path, "--port", port)
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert "is not a port number" in err.decode()


async def test_a_broken_flow_in_flows_dir_stops_the_start_with_one_line_naming_it(tmp_path):
    folder = tmp_path / "flows"
    folder.mkdir()
    broken = folder / "broken.yml"
    broken.write_bytes((ROOT / "tests/flows/invalid/number_too_long.yml").read_bytes())
    config = tmp_path / "config.yml"
    config.write_text(f"flows_dir: {folder}\n", encoding="utf-8")
    process = await start(tmp_path, "--config", str(config))
    _, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 1
    lines = err.decode().strip().splitlines()
    assert lines[-1].startswith(f"consultbot: {broken}:9: the number 999999999999…")
    assert "Traceback" not in err.decode()


async def test_a_bad_configuration_is_one_clear_line(tmp_path):
    config = tmp_path / "bad.yml"
    config.write_text("server:\n  port: lots\n", encoding="utf-8")
    process = await start(tmp_path, "--config", str(config))
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    assert "server.port" in err.decode()
    assert "Traceback" not in err.decode()


async def refused_start(tmp_path: Path, *args: str, **settings: str) -> str:
    """What `consultbot serve` said before it stopped with status 1, unserved."""
    process = await start(tmp_path, *args, "--port", str(free_port()), **settings)
    try:
        _, err = await asyncio.wait_for(process.communicate(), 120)
    finally:
        if process.returncode is None:  # serving: the refusal expected did not come
            process.kill()
            await process.wait()
    assert process.returncode == 1
    assert "serving on" not in err.decode()
    assert "Traceback" not in err.decode()
    return err.decode()


async def test_a_default_consultation_not_deployed_stops_the_start_naming_those_that_are(
    tmp_path,
):
    err = await refused_start(tmp_path, CONSULTBOT_DEFAULT_CONSULTATION="nosuch")
    assert err.splitlines()[-1] == (
        "consultbot: config: default_consultation (CONSULTBOT_DEFAULT_CONSULTATION): no "
        "consultation 'nosuch' is deployed; set it to one that is (lycees, mobilite), or "
        "deploy it first with `consultbot flows deploy FILE`"
    )
    # Refused on every start, not only the first (the flows are deployed by then).
    again = await refused_start(tmp_path, CONSULTBOT_DEFAULT_CONSULTATION="nosuch")
    assert again.splitlines()[-1] == err.splitlines()[-1]


@pytest.mark.parametrize("suffix", [".yml", ".yaml"])
async def test_a_default_consultation_from_flows_dir_is_served(tmp_path, suffix):
    folder = tmp_path / "flows"
    folder.mkdir()
    flow = (ROOT / "flows/examples/mobilite.yml").read_text(encoding="utf-8")
    velo = (folder / "velo").with_suffix(suffix)
    velo.write_text(flow.replace("id: mobilite", "id: velo"), encoding="utf-8")
    port = free_port()
    process = await start(
        tmp_path,
        "--port",
        str(port),
        CONSULTBOT_FLOWS_DIR=str(folder),
        CONSULTBOT_DEFAULT_CONSULTATION="velo",
    )
    try:
        await wait_ready(process, f"http://127.0.0.1:{port}")
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()


@pytest.mark.parametrize(
    ("make", "problem"),
    [(lambda path: None, "does not exist"), (lambda path: path.touch(), "is not a folder")],
    ids=["missing", "a file"],
)
async def test_a_flows_dir_that_is_no_folder_stops_the_start_naming_it(tmp_path, make, problem):
    folder = tmp_path / "consultations" / "flws"
    folder.parent.mkdir()
    make(folder)
    err = await refused_start(tmp_path, CONSULTBOT_FLOWS_DIR=str(folder))
    assert err.splitlines()[-1] == (
        f"consultbot: config: flows_dir (CONSULTBOT_FLOWS_DIR): the folder {folder} {problem}; "
        "set flows_dir to the folder of your flow files, or to null for none"
    )


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_workers_are_not_started_for_a_default_consultation_not_deployed(
    tmp_path, database_url
):
    err = await refused_start(
        tmp_path,
        "--workers",
        "2",
        CONSULTBOT_DATABASE_URL=database_url,
        CONSULTBOT_DEFAULT_CONSULTATION="nosuch",
    )
    assert err.splitlines() == [
        "consultbot: config: default_consultation (CONSULTBOT_DEFAULT_CONSULTATION): no "
        "consultation 'nosuch' is deployed; set it to one that is (lycees, mobilite), or "
        "deploy it first with `consultbot flows deploy FILE`"
    ]


async def test_a_list_not_given_as_json_is_one_line_naming_its_variable(tmp_path):
    err = await refused_start(tmp_path, CONSULTBOT_SERVER__ALLOWED_ORIGINS="https://x.fr")
    assert err == (
        "consultbot: config: server.allowed_origins (CONSULTBOT_SERVER__ALLOWED_ORIGINS): a list "
        """must be given as JSON: CONSULTBOT_SERVER__ALLOWED_ORIGINS='["https://x.fr"]'\n"""
    )
