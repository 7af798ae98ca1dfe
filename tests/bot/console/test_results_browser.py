"""The results pages in real headless Chromium: axe-core finds no WCAG 2.1
A/AA violation, at 320 px wide with nothing to scroll sideways, and the page
runs no script of its own for the charts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import CONVERSATIONS
from storage.models import ConsoleRole
from tests.axe import axe_or_skip, violations
from tests.bot.console.results_residents import approve_train_texts, fill
from tests.bot.console.site import console_site
from tests.bot.console.test_console_browser import (
    DESKTOP,
    NARROW,
    _overflow,
    _page,
    _sign_in,
    browser,  # noqa: F401 (a fixture)
)
from tests.e2e.test_browser import shot

playwright_api = pytest.importorskip("playwright.async_api")
pytestmark = pytest.mark.browser


async def test_the_results_pages_pass_axe_at_320_px_and_on_a_desktop(
    browser,  # noqa: F811
    database_url: str,
    tmp_path: Path,
):
    axe_or_skip()
    async with console_site(database_url, tmp_path) as site:
        await fill(site.app[CONVERSATIONS])
        await approve_train_texts(site.database)
        await site.user("olga@region.fr", ConsoleRole.ORGANIZER)
        checked = []
        for viewport in (NARROW, DESKTOP):
            page = await _page(browser, viewport, bypass_csp=True)  # only to inject axe
            await _sign_in(page, site, "olga@region.fr")
            for path in (
                "/console/results",
                "/console/results/mobilite",
                "/console/results/mobilite?since=2026-11-04",
                "/console/results/mobilite?since=nope",
            ):
                await page.goto(site.url + path)
                checked.append(
                    (viewport["width"], path, await violations(page), await _overflow(page))
                )
            assert page.errors == []
        await page.goto(f"{site.url}/console/results/mobilite")
        # The organizer filters by poster with the form.
        await page.get_by_label("Poster (source tag)").select_option("gare-tours")
        await page.get_by_role("button", name="Apply").click()
        await page.wait_for_url("**source=gare-tours**")
        table = page.get_by_role("table", name="1. Comment vous déplacez-vous le plus souvent ?")
        await playwright_api.expect(
            table.get_by_role("row", name="Train 7 100.0 %")
        ).to_be_visible()
        await shot(page, "console-results")
    problems = [c for c in checked if c[2] or c[3]]
    assert problems == []
