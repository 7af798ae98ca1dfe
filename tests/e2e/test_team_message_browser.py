"""A reply from the consultation team arriving in a resident's open chat, in
real headless Chromium (fixtures of tests/e2e/test_browser.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.app import TEAM_MESSAGES
from bot.team_messages import Outcome
from tests.e2e.test_browser import browser, expect, log_of, new_page, say, shot, site

pytestmark = pytest.mark.browser
__all__ = ["browser", "site"]  # fixtures


async def test_a_reply_from_the_team_appears_in_the_open_chat_once(site, browser):
    page = await new_page(browser)
    await page.goto(site.bot + "/")
    for text in ("bonjour", "oui", "humain"):
        await say(page, text)
    messages = site.app[TEAM_MESSAGES]
    [waiting] = await messages.inbox()

    now = dt.datetime.now(dt.UTC)
    outcome = await messages.reply(waiting.session_id, "Bonjour, ici l'équipe.", "moderator-7", now)

    assert outcome is Outcome.DELIVERED
    team = log_of(page).locator(".msg.team")
    await expect(team).to_have_count(1)
    await expect(team.locator("p")).to_have_text("Bonjour, ici l'équipe.")
    await expect(team.locator(".from")).to_have_text("L'équipe de la consultation :")
    await shot(page, "page-360-team-reply")
    await page.reload()
    await expect(log_of(page).locator(".msg.team")).to_have_count(1)
    assert "1 à 5" in await say(page, "train")
    await expect(log_of(page).locator(".msg.team")).to_have_count(1)
    assert page.errors == []
