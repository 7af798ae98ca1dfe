"""Sections and progress on the web chat page, in real headless Chromium: with
the bundled lycées flow as the page's consultation, each part's title is a
message of its own, read before the question, and the information step after it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.test_browser import (
    _browser_or_skip,
    answered,
    browser,  # noqa: F401 (a fixture)
    expect,
    log_of,
    new_page,
    say,
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


async def test_the_review_is_read_and_sent_on_the_page(lycees, browser):  # noqa: F811
    page = await new_page(browser)
    await page.goto(lycees + "/")
    await tap(page, "Commencer")
    await tap(page, "Oui")
    for text in ("un habitant", "45000", "4", "internat", "non"):
        await say(page, text)
    review = await say(page, "passer")
    assert review.startswith("Voici vos réponses")
    assert "4. Quelles sont vos deux priorités pour les lycées de la région\u202f? Internats" in (
        review
    )
    send = page.get_by_role("button", name="Envoyer mes réponses", exact=True)
    await expect(send).to_be_visible()
    changing = await say(page, "modifier la question 4")
    assert changing.startswith("Quelles sont vos deux priorités")
    review = await say(page, "cantine")
    # What "cantine" was read as, on a line of its own, then a new branch: local food.
    echo, asked = review.split("\n", 1)
    assert echo == "Noté\u202f: Cantine locale et bio."
    assert asked.startswith("La cantine devrait-elle servir")
    review = await say(page, "oui")
    assert "4. Quelles sont vos deux priorités" in review
    assert "Cantine locale et bio" in review
    await shot(page, "page-360-review")
    sends = page.get_by_role("button", name="Envoyer mes réponses", exact=True)
    await expect(sends.first).to_be_disabled()  # the first summary's, answered since
    done = await answered(page, sends.last.click())
    assert done.startswith("Merci pour votre contribution")
    assert page.errors == []
