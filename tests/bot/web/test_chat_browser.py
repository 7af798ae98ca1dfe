"""The web chat on a phone, in real headless Chromium: a connection that dies
while the resident waits for a slow reply, and the widget at large text on a
narrow screen. (The demo end to end, keyboard, axe: tests/e2e/test_browser.py.)"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.test_browser import (
    Gate,
    Network,
    _browser_or_skip,
    expect,
    new_page,
    say,
    type_message,
)
from tests.serving import running, settings_for

pytestmark = pytest.mark.browser


@dataclass
class SlowBehind:
    url: str  # the server, through the network
    network: Network
    gate: Gate  # holds the replies back


@pytest.fixture
async def slow_behind(tmp_path: Path) -> AsyncIterator[SlowBehind]:
    """The server, its replies behind a gate, reached through a `Network` that
    can go silent."""
    _browser_or_skip()
    network = Network()
    url = await network.start()
    gate = Gate()
    settings = settings_for(tmp_path, server={"allowed_origins": [url]})
    try:
        async with running(settings, wrap=gate) as (bot, _app):
            network.target = int(bot.rsplit(":", 1)[1])
            yield SlowBehind(url, network, gate)
            gate.open.set()  # a failed test leaves nothing held for shutdown to wait on
    finally:
        await network.close()


async def test_a_connection_dying_during_a_slow_reply_is_noticed_and_the_reply_comes(
    slow_behind, browser
):
    site = slow_behind
    page = await new_page(browser)
    await page.goto(site.url + "/")
    await say(page, "bonjour")
    shown = await page.locator(".msg.bot").count()
    site.gate.open.clear()
    await type_message(page, "oui")
    await expect(page.get_by_role("status")).to_have_text("L'assistant écrit…")
    # The phone leaves Wi-Fi while the bot is answering: the open connection
    # passes nothing more, nothing closes it, and 4G is not there yet.
    site.network.go_silent()
    site.network.down()
    await expect(page.get_by_role("status")).to_have_text(re.compile("^Connexion"))
    site.network.up()
    await site.gate.until_waiting(2)  # reconnected, the message sent again (same id)
    site.gate.open.set()
    await expect(page.locator(".msg.bot")).not_to_have_count(shown)
    await expect(page.get_by_role("status")).to_have_text("")
    assert "déplacez-vous" in await page.locator(".msg.bot p").last.inner_text()
    texts = await page.locator(".msg.bot p").all_inner_texts()
    assert len(texts) == len(set(texts))  # the reply shown once
    assert "1 à 5" in await say(page, "train")  # the consent counted once
    assert await page.locator(".msg.me p").all_inner_texts() == ["bonjour", "oui", "train"]
    assert page.errors == []
