"""Sections and progress on the web chat page, in real headless Chromium: with
the bundled lycées flow as the page's consultation, each part's title is a
message of its own, read before the question, and the information step after it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.test_browser import (
    _browser_or_skip,
    browser,  # noqa: F401 (a fixture)
    expect,
    log_of,
    new_page,
    shot,
    tap,
    type_message,
)
from tests.serving import running, settings_for

pytestmark = pytest.mark.browser

PART_1 = "Partie 1 sur 3\u202f: Vous et votre lycée"
PART_2 = "Partie 2 sur 3\u202f: Les bâtiments et les priorités"


@pytest.fixture
async def lycees(tmp_path: Path) -> AsyncIterator[str]:
    _browser_or_skip()
    settings = settings_for(tmp_path, default_consultation="lycees")
    async with running(settings) as (bot, _app):
        yield bot


async def bot_messages(page) -> list[str]:
    return await page.locator(".msg.bot p").all_inner_texts()


async def test_parts_are_announced_on_the_page(lycees, browser):  # noqa: F811
    page = await new_page(browser)
    await page.goto(lycees + "/")
    await tap(page, "Commencer")
    await tap(page, "Oui")
    said = await bot_messages(page)
    # The page sets French punctuation with a narrow no-break space.
    assert PART_1 in said
    assert said.index(PART_1) == said.index("Vous êtes…") - 1
    await tap(page, "Autre habitant")
    await tap(page, "Passer")
    before = len(await bot_messages(page))
    await type_message(page, "passer")
    part = page.locator(".msg.bot p", has_text=PART_2)
    await expect(part).to_be_visible()
    await expect(page.locator(".msg.bot p", has_text="De 1 à 5")).to_be_visible()
    new = (await bot_messages(page))[before:]
    assert new[0] == PART_2, new
    assert new[1].startswith("La Région entretient 99 lycées publics"), new
    assert new[2].startswith("De 1 à 5"), new
    await expect(log_of(page)).to_contain_text("Partie 2 sur 3")
    await shot(page, "page-360-sections")
    assert page.errors == []
