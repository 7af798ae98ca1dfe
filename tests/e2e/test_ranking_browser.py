"""A ranking on the web chat page, in real headless Chromium: each button
pressed takes the next rank, and the next message offers only the choices
still free (the bundled lycées flow asks the school's staff to rank works)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.test_browser import (
    _browser_or_skip,
    answered,
    browser,  # noqa: F401 (a fixture)
    expect,
    new_page,
    say,
    shot,
    tap,
)
from tests.serving import running, settings_for

pytestmark = pytest.mark.browser


@pytest.fixture
async def lycees(tmp_path: Path) -> AsyncIterator[str]:
    _browser_or_skip()
    settings = settings_for(tmp_path, default_consultation="lycees")
    async with running(settings) as (bot, _app):
        yield bot


def tap_last(page, name: str):
    """The button of the newest message (earlier messages keep theirs, disabled)."""
    return answered(page, page.get_by_role("button", name=name, exact=True).last.click())


async def offered(page) -> list[str]:
    """The buttons under the newest message."""
    return await page.locator(".choices").last.get_by_role("button").all_inner_texts()


async def test_a_ranking_is_made_one_button_at_a_time(lycees, browser):  # noqa: F811
    page = await new_page(browser)
    await page.goto(lycees + "/")
    await tap(page, "Commencer")
    await tap(page, "Oui")
    await tap(page, "Personnel du lycée")
    for text in ("28000", "Chartres", "1"):
        await say(page, text)
    asked = await say(page, "Les fenêtres")
    assert "classez les trois chantiers les plus urgents" in asked
    assert "Chauffage" in await offered(page)
    so_far = await tap_last(page, "Chauffage")
    assert so_far.startswith("Pour l'instant\u202f: Chauffage. Et en n° 2")
    assert "Chauffage" not in await offered(page)
    assert "Toitures et fenêtres" in await offered(page)
    so_far = await tap_last(page, "Toitures et fenêtres")
    assert "Chauffage > Toitures et fenêtres" in so_far
    await shot(page, "page-360-ranking")
    following = await tap_last(page, "Gymnase")
    assert following.startswith("Quelles sont vos deux priorités")
    # The ranking's earlier buttons answer nothing any more.
    await expect(page.get_by_role("button", name="Chauffage", exact=True).first).to_be_disabled()
    assert page.errors == []
