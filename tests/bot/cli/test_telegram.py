"""`consultbot telegram ...` as an operator runs it, against the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import pytest

from tests.bot.channels.fake_bot_api import TOKEN, FakeBotApi
from tests.bot.cli import running

ROOT = Path(__file__).resolve().parents[3]
HOOK = "https://consultation.example.fr/telegram/webhook"


async def consultbot(tmp_path: Path, *args: str, **env: str) -> tuple[int, str]:
    outcome = await running.consultbot(*args, cwd=tmp_path, **env)
    return outcome.code, outcome.out + outcome.err


def env_for(fake: FakeBotApi, **extra: str) -> dict[str, str]:
    return {
        "CONSULTBOT_TELEGRAM__BOT_TOKEN": TOKEN,
        "CONSULTBOT_TELEGRAM__API_BASE_URL": fake.base_url,
        **extra,
    }


async def test_set_webhook_then_info_then_delete(fake, tmp_path):
    env = env_for(
        fake,
        CONSULTBOT_TELEGRAM__WEBHOOK_URL=HOOK,
        CONSULTBOT_TELEGRAM__WEBHOOK_SECRET="a_secret-123",
    )
    code, output = await consultbot(tmp_path, "telegram", "set-webhook", **env)
    assert (code, output.strip()) == (0, f"Telegram will send updates to {HOOK}")
    assert fake.webhook["url"] == HOOK
    assert fake.webhook["secret_token"] == "a_secret-123"
    assert {"fr", "en"} <= set(fake.commands)

    code, output = await consultbot(tmp_path, "telegram", "webhook-info", **env)
    assert code == 0
    assert f"url: {HOOK}" in output

    code, output = await consultbot(tmp_path, "telegram", "delete-webhook", **env)
    assert code == 0
    assert fake.webhook == {}


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, "telegram.webhook_url is not set"),
        ({"CONSULTBOT_TELEGRAM__WEBHOOK_URL": HOOK}, "CONSULTBOT_TELEGRAM__WEBHOOK_SECRET"),
        (
            {
                "CONSULTBOT_TELEGRAM__WEBHOOK_URL": HOOK,
                "CONSULTBOT_TELEGRAM__WEBHOOK_SECRET": "spaces are not allowed",
            },
            "A-Z a-z 0-9 _ -",
        ),
        (
            {
                "CONSULTBOT_TELEGRAM__WEBHOOK_URL": "http://consultation.example.fr/hook",
                "CONSULTBOT_TELEGRAM__WEBHOOK_SECRET": "s",
            },
            "must be an https:// URL",
        ),
    ],
)
async def test_set_webhook_names_what_is_missing(fake, tmp_path, extra, expected):
    code, output = await consultbot(tmp_path, "telegram", "set-webhook", **env_for(fake, **extra))
    assert code == 1
    assert expected in output
    assert "Traceback" not in output
    assert fake.webhook == {}


async def test_a_refused_token_or_an_unreachable_api_is_one_clear_line(fake, tmp_path):
    env = env_for(fake, CONSULTBOT_TELEGRAM__BOT_TOKEN="999:not-the-token")
    code, output = await consultbot(tmp_path, "telegram", "webhook-info", **env)
    assert code == 1
    assert "refused the token" in output
    assert "Traceback" not in output

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    env = env_for(fake, CONSULTBOT_TELEGRAM__API_BASE_URL=f"http://127.0.0.1:{port}/bot")
    code, output = await consultbot(tmp_path, "telegram", "delete-webhook", **env)
    assert code == 1
    assert f"cannot reach the Bot API at http://127.0.0.1:{port}/bot" in output
    assert TOKEN not in output
    assert "Traceback" not in output


async def test_without_a_token_it_says_which_variable_to_set(tmp_path):
    code, output = await consultbot(tmp_path, "telegram", "webhook-info")
    assert code == 1
    assert "CONSULTBOT_TELEGRAM__BOT_TOKEN" in output


async def test_poll_runs_the_bot_until_sigterm(fake, tmp_path):
    from tests.bot.channels.fake_bot_api import Resident

    env = env_for(
        fake,
        CONSULTBOT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'consultbot.db'}",
        CONSULTBOT_SECRET_KEY="a long secret key for the test deployment",
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CONSULTBOT_")}
    environ.update(PYTHONPATH=str(ROOT), **env)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "telegram",
        "poll",
        cwd=tmp_path,
        env=environ,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 60)
        assert line.decode().startswith("Polling as @consultbot_test_bot")
        resident = Resident(5001)
        fake.user_sends(resident, "bonjour")
        replies = await fake.wait_for_messages(resident, 2, within=60)
        assert "Acceptez-vous" in replies[-1]["text"]
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()
    assert "Traceback" not in output.decode()


async def test_poll_refuses_when_a_webhook_url_is_configured(fake, tmp_path):
    env = env_for(fake, CONSULTBOT_TELEGRAM__WEBHOOK_URL=HOOK)
    code, output = await consultbot(tmp_path, "telegram", "poll", **env)
    assert code == 1
    assert "unset it" in output
    assert "Traceback" not in output


async def test_poll_refuses_a_default_consultation_not_deployed(fake, tmp_path):
    env = env_for(
        fake,
        CONSULTBOT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'consultbot.db'}",
        CONSULTBOT_SECRET_KEY="a long secret key for the test deployment",
        CONSULTBOT_DEFAULT_CONSULTATION="nosuch",
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CONSULTBOT_")}
    environ.update(PYTHONPATH=str(ROOT), **env)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "bot", "telegram", "poll"),
        cwd=tmp_path,
        env=environ,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output = (await asyncio.wait_for(process.communicate(), 60))[0].decode()
    finally:
        if process.returncode is None:  # polling: the refusal this test expects did not come
            process.kill()
            await process.wait()
    assert process.returncode == 1
    assert output.splitlines()[-1] == (
        "consultbot: config: default_consultation (CONSULTBOT_DEFAULT_CONSULTATION): no "
        "consultation 'nosuch' is deployed; set it to one that is (lycees, mobilite), or "
        "deploy it first with `consultbot flows deploy FILE`"
    )
    assert "Polling as" not in output
    assert "Traceback" not in output


async def test_poll_beside_a_process_polling_the_same_sqlite_database_is_refused(fake, tmp_path):
    """SQLite is one process: `consultbot telegram poll` next to a `consultbot
    serve` that polls would take turns with it at getUpdates and split the updates."""
    from bot.channels.telegram.bot import running_bot
    from tests.bot.channels.conftest import telegram_settings
    from tests.serving import settings_for, start_service

    url = f"sqlite+aiosqlite:///{tmp_path / 'consultbot.db'}"
    service = await start_service(settings_for(url))
    try:
        # What `consultbot serve` runs: the bot polling, with its database.
        async with running_bot(
            telegram_settings(fake), service, poll_timeout=1, database=service.database
        ):
            env = env_for(
                fake,
                CONSULTBOT_DATABASE_URL=url,
                CONSULTBOT_SECRET_KEY="a long secret key for the test deployment",
            )
            environ = {k: v for k, v in os.environ.items() if not k.startswith("CONSULTBOT_")}
            environ.update(PYTHONPATH=str(ROOT), **env)
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                *("-m", "bot", "telegram", "poll"),
                cwd=tmp_path,
                env=environ,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            try:
                output = (await asyncio.wait_for(process.communicate(), 60))[0].decode()
            finally:
                if process.returncode is None:  # polling: the refusal did not come
                    process.kill()
                    await process.wait()
    finally:
        await service.close()
    assert process.returncode == 1
    assert output.splitlines()[-1] == (
        "consultbot: telegram: another process already polls this bot on the SQLite database "
        f"{tmp_path / 'consultbot.db'} (`consultbot serve` or `consultbot telegram poll`); "
        "SQLite is one process: run only one of them"
    )
    assert "Polling as" not in output
    assert "Traceback" not in output
    assert fake.poll_conflicts == 0
