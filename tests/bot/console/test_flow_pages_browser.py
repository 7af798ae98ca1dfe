"""The flow pages in real headless Chromium: an organizer uploads a flow with
three mistakes and reads them at their lines, fixes them in the page, talks
to the fixed flow in the simulator and deploys it; a resident then takes the
new version in the web chat while another, who started before, finishes the
old one. axe-core finds no WCAG 2.1 A/AA violation on these pages, at 320 px
wide with nothing to scroll sideways and on a desktop."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.models import ConsoleRole
from tests.axe import axe_or_skip, violations
from tests.bot.console.site import console_site
from tests.bot.console.test_console_browser import (
    DESKTOP,
    NARROW,
    _overflow,
    _page,
    _sign_in,
    browser,  # noqa: F401 (a fixture)
)
from tests.bot.console.test_flow_pages import (
    CHANGED_QUESTION,
    OLD_QUESTION,
    broken_flow,
    changed_flow,
)
from tests.e2e.test_browser import log_of, say, shot

playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect
pytestmark = pytest.mark.browser


async def test_an_organizer_fixes_simulates_and_deploys_and_residents_keep_their_version(
    browser,  # noqa: F811
    database_url: str,
    tmp_path: Path,
):
    axe_or_skip()
    broken = tmp_path / "mobilite.yml"
    broken.write_text(broken_flow(), encoding="utf-8")
    async with console_site(database_url, tmp_path) as site:
        await site.user("olga@region.fr", ConsoleRole.ORGANIZER)
        for text in ("bonjour", "oui"):  # a resident starts on version 1
            await site.says("rest", "early", text)
        page = await _page(browser, DESKTOP, bypass_csp=True)  # only to inject axe
        await _sign_in(page, site, "olga@region.fr")
        await page.get_by_role("link", name="Flows").click()
        await page.get_by_role("link", name="Check and deploy a flow file").click()
        await page.get_by_label("Upload a flow file").set_input_files(str(broken))
        await page.get_by_role("button", name="Check").click()

        await expect(page.get_by_role("heading", name="mobilite.yml: 3 problems")).to_be_visible()
        for line, problem in (
            (15, "unknown question type 'choise'. Hint: did you mean 'choice'?"),
            (38, "min (1) is greater than max (0). Hint: swap them"),
            (47, "unknown key 'optionnal' in a postal_code question"),
        ):
            header = page.get_by_role("rowheader", name=str(line), exact=True)
            row = page.get_by_role("row").filter(has=header)
            await expect(row).to_contain_text(f"mobilite.yml:{line}")
            await expect(row).to_contain_text(problem)
        assert await violations(page) == []
        await shot(page, "console-flow-problems")

        # Fixed in the page's editor.
        await page.get_by_label("Or paste or edit it here").fill(changed_flow())
        await page.get_by_role("button", name="Check").click()
        await expect(
            page.get_by_role("heading", name="pasted text: ok: 'mobilite', 4 questions, in fr, en")
        ).to_be_visible()
        await expect(page.locator(".preview-text")).to_contain_text(CHANGED_QUESTION)

        await page.get_by_role("button", name="Start a conversation").click()
        transcript = page.get_by_role("list", name="Simulated conversation")
        await expect(transcript).to_contain_text("Acceptez-vous ?")
        for text in ("oui", "train", "4"):
            await page.get_by_label("Your message").fill(text)
            await page.get_by_label("Your message").press("Enter")
            await expect(transcript.locator(".line.resident .text").last).to_have_text(text)
        await expect(transcript.locator(".line.bot").last).to_contain_text(CHANGED_QUESTION)
        assert await violations(page) == []

        await page.get_by_role("button", name="Deploy mobilite").click()
        await expect(page.get_by_role("status")).to_contain_text("Deployed")
        versions = page.get_by_role("table", name="Versions of mobilite, newest first")
        await expect(versions.get_by_role("row").nth(1)).to_contain_text("olga@region.fr")
        await expect(versions.get_by_role("row").nth(1)).to_contain_text("live")
        diff = page.get_by_role("table", name="Changes from version 1 to version 2")
        await expect(diff.get_by_role("row", name=f"removed 48 fr: {OLD_QUESTION}")).to_be_visible()
        await expect(
            diff.get_by_role("row", name=f"added 48 fr: {CHANGED_QUESTION}")
        ).to_be_visible()
        assert await violations(page) == []
        await shot(page, "console-flow-deployed")
        assert page.errors == []

        # A new resident, in the web chat, takes version 2 ...
        chat = await _page(browser, NARROW)
        await chat.goto(site.url + "/")
        await expect(log_of(chat)).to_be_visible()
        last = ""
        for text in ("bonjour", "oui", "train", "4"):
            last = await say(chat, text)
        assert last.replace("\u202f", " ") == CHANGED_QUESTION  # the chat sets French spacing
        # ... while the one who started before finishes version 1.
        assert await site.says("rest", "early", "train")
        assert OLD_QUESTION in await site.says("rest", "early", "4")
        await site.says("rest", "early", "45000")
        finished = await site.says("rest", "early", "Plus de trains le soir")
        assert any(reply.startswith("Merci pour votre contribution") for reply in finished)


async def test_the_flow_pages_pass_axe_at_320_px_and_on_a_desktop(
    browser,  # noqa: F811
    database_url: str,
    tmp_path: Path,
):
    axe_or_skip()
    async with console_site(database_url, tmp_path) as site:
        await site.user("olga@region.fr", ConsoleRole.ORGANIZER)
        checked = []
        for viewport in (NARROW, DESKTOP):
            page = await _page(browser, viewport, bypass_csp=True)
            await _sign_in(page, site, "olga@region.fr")
            for path in ("/console/flows", "/console/flows/new", "/console/flows/mobilite"):
                await page.goto(site.url + path)
                checked.append(
                    (viewport["width"], path, await violations(page), await _overflow(page))
                )
            await page.goto(site.url + "/console/flows/new")
            await page.get_by_label("Or paste or edit it here").fill(broken_flow())
            await page.get_by_role("button", name="Check").click()
            await expect(page.get_by_text("pasted text: 3 problems")).to_be_visible()
            checked.append(
                (viewport["width"], "problems", await violations(page), await _overflow(page))
            )
            await page.get_by_label("Or paste or edit it here").fill(changed_flow())
            await page.get_by_role("button", name="Check").click()
            await page.get_by_role("button", name="Start a conversation").click()
            await expect(page.get_by_label("Your message")).to_be_visible()
            checked.append(
                (viewport["width"], "simulator", await violations(page), await _overflow(page))
            )
            await page.get_by_role("button", name="Deploy mobilite").click()
            await expect(page.get_by_role("status")).not_to_be_empty()  # deployed, or already
            checked.append(
                (viewport["width"], "diff", await violations(page), await _overflow(page))
            )
            await page.get_by_role("button", name="Close mobilite now").click()
            await expect(page.get_by_role("status")).to_contain_text("Closed")
            checked.append(
                (viewport["width"], "closed", await violations(page), await _overflow(page))
            )
            await page.get_by_label("Closes").fill("")
            await page.get_by_role("button", name="Change the dates").click()
            await expect(page.get_by_role("status")).to_contain_text("Dates changed")
            assert page.errors == []
        await shot(page, "console-flow-closed")
    problems = [c for c in checked if c[2] or c[3]]
    assert problems == []
