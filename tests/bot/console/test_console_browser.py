"""The console in real headless Chromium: a moderator signs in and works the
queue with the keyboard only; two moderators decide the same answer at once;
answers holding markup run nothing; axe-core finds no WCAG 2.1 A/AA violation
on any page, at 320 px wide with nothing to scroll sideways."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage import answers, audit, follow_ups, saved_replies
from storage.models import ConsoleRole, ModerationStatus, OutboxEventRow
from tests.axe import axe_or_skip, violations
from tests.bot.console.site import PASSWORD, Site, console_site
from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, _browser_or_skip, shot

playwright_api = pytest.importorskip("playwright.async_api")
pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}
MARKUP = (
    "<script>window.__ran = 'script'</script>",
    "<img src=x onerror=\"window.__ran = 'img'\">",
    "<a href=\"javascript:window.__ran = 'link'\">clic</a>",
)


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    _browser_or_skip()
    async with playwright_api.async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


async def _page(browser, viewport=DESKTOP, **options):
    context = await browser.new_context(viewport=viewport, **options)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    page.errors = errors
    return page


async def _sign_in(page, site: Site, email: str) -> None:
    """With the keyboard only: type, Tab, type, Enter."""
    await page.goto(f"{site.url}/console/login")
    # autofocus applies after "load" on a busy machine: wait for it, do not race it
    await playwright_api.expect(page.get_by_label("E-mail")).to_be_focused()
    await page.keyboard.type(email)
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{site.url}/console/")


async def _status(site: Site, answer_id: int) -> answers.StoredAnswer:
    async with site.database.transaction() as s:
        return await answers.get(s, answer_id)


async def _first_item_is(page, answer_id: int) -> None:
    await playwright_api.expect(page.locator(".item.current")).to_have_attribute(
        "data-id", str(answer_id)
    )


async def test_a_moderator_works_the_queue_with_the_keyboard_only(
    browser, database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        fine = await site.pending("Le bus passe trop rarement le soir")
        phone = await site.pending("Rappelez-moi au 06 12 34 56 78 pour en parler")
        spam = await site.pending("Achetez des montres pas chères")
        first_of_bulk = await site.pending("Plus de pistes cyclables")
        second_of_bulk = await site.pending("Des trains plus tôt le matin")
        page = await _page(browser)
        await _sign_in(page, site, "ana@region.fr")
        await page.goto(f"{site.url}/console/queue")
        await _first_item_is(page, fine)
        await page.keyboard.press("a")
        await playwright_api.expect(page.get_by_role("status")).to_have_text(
            f"Answer {fine} approved."
        )

        await _first_item_is(page, phone)
        await playwright_api.expect(page.locator(f"#item-{phone} mark")).to_have_text(
            "06 12 34 56 78 (personal data: phone)"
        )
        await page.keyboard.press("e")
        await playwright_api.expect(page.locator(f"#text-{phone}")).to_be_focused()
        await playwright_api.expect(page.locator(f"#text-{phone}")).to_have_value(
            "Rappelez-moi au [téléphone] pour en parler"
        )
        await page.keyboard.press("Control+Enter")
        await playwright_api.expect(page.get_by_role("status")).to_have_text(
            f"Answer {phone} approved."
        )

        await _first_item_is(page, spam)
        await page.keyboard.press("r")
        await playwright_api.expect(page.locator(f"#reason-{spam}")).to_be_focused()
        await page.keyboard.type("spam")
        await page.keyboard.press("Enter")
        await playwright_api.expect(page.get_by_role("status")).to_have_text(
            f"Answer {spam} rejected."
        )

        await _first_item_is(page, first_of_bulk)
        await page.keyboard.press("x")
        await page.keyboard.press("j")
        await page.keyboard.press("x")
        await page.keyboard.press("b")
        await playwright_api.expect(page.locator("#bulk-action")).to_be_focused()
        await page.keyboard.press("Tab")
        await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")
        await playwright_api.expect(page.get_by_role("status")).to_have_text("2 answers approved.")
        await playwright_api.expect(page.get_by_text("No answers here.")).to_be_visible()
        await shot(page, "console-queue-done")
        assert page.errors == []

        redacted = await _status(site, phone)
        assert redacted.moderation_status is ModerationStatus.APPROVED
        assert redacted.redacted_text == "Rappelez-moi au [téléphone] pour en parler"
        rejected = await _status(site, spam)
        assert rejected.moderation_status is ModerationStatus.REJECTED
        for answer_id in (fine, first_of_bulk, second_of_bulk):
            assert (await _status(site, answer_id)).moderation_status is ModerationStatus.APPROVED
        async with site.database.transaction() as s:
            records = await audit.recent(s, action="answer.reject")
        assert [(r.actor, r.details["reason"]) for r in records] == [("ana@region.fr", "spam")]


async def test_after_a_keyboard_decision_the_queue_goes_on_from_the_next_answer(
    browser, database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        unsure = await site.pending("Je ne sais pas trop quoi penser du tram")
        doubtful = await site.pending("Peut-être plus de bus, peut-être pas")
        clear = await site.pending("Plus de trains le soir")
        following = await site.pending("Des pistes cyclables vers la gare")
        spam = await site.pending("Achetez des montres pas chères")
        page = await _page(browser)
        await _sign_in(page, site, "ana@region.fr")
        await page.goto(f"{site.url}/console/queue")
        await _first_item_is(page, unsure)
        await page.keyboard.press("j")  # two uncertain answers skipped
        await page.keyboard.press("j")
        await _first_item_is(page, clear)
        await page.keyboard.press("a")
        await playwright_api.expect(page.get_by_role("status")).to_have_text(
            f"Answer {clear} approved."
        )
        await _first_item_is(page, following)  # not the skipped ones again

        await page.keyboard.press("j")
        await _first_item_is(page, spam)
        await page.keyboard.press("r")
        await page.keyboard.type("spam")
        await page.keyboard.press("Enter")
        await playwright_api.expect(page.get_by_role("status")).to_have_text(
            f"Answer {spam} rejected."
        )
        await _first_item_is(page, following)  # nothing after it: the nearest
        assert page.errors == []
        for skipped in (unsure, doubtful, following):
            assert (await _status(site, skipped)).moderation_status is ModerationStatus.PENDING


async def test_two_moderators_on_one_answer_make_one_decision(
    browser, database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        await site.user("bob@region.fr", ConsoleRole.MODERATOR)
        answer_id = await site.pending("Il faut plus de bus")
        ana, bob = await _page(browser), await _page(browser)
        await _sign_in(ana, site, "ana@region.fr")
        await _sign_in(bob, site, "bob@region.fr")
        await asyncio.gather(*(p.goto(f"{site.url}/console/queue") for p in (ana, bob)))
        await _first_item_is(ana, answer_id)
        await _first_item_is(bob, answer_id)
        await asyncio.gather(ana.keyboard.press("a"), bob.keyboard.press("a"))
        outcomes = []
        decided = re.compile(rf"Answer {answer_id} approved\.|was already approved by")
        for page in (ana, bob):
            # the key press submits a form: wait for its answer, not for the old page
            await playwright_api.expect(page.locator("main")).to_contain_text(decided)
            outcomes.append(await page.locator("main").inner_text())
        winners = [o for o in outcomes if f"Answer {answer_id} approved." in o]
        losers = [o for o in outcomes if "was already approved by" in o]
        assert len(winners) == 1
        assert len(losers) == 1
        async with site.database.transaction() as s:
            events = await s.scalar(
                select(func.count(OutboxEventRow.id)).where(
                    OutboxEventRow.type == "answer.approved"
                )
            )
            records = await audit.recent(s, action="answer.approve")
        assert events == 1
        assert len(records) == 1
        assert records[0].actor in losers[0]


async def test_markup_in_answers_is_shown_as_text_and_runs_nothing(
    browser, database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.ADMIN)
        ids = [await site.pending(text) for text in MARKUP]
        page = await _page(browser)
        await _sign_in(page, site, "ana@region.fr")
        async with site.database.transaction() as s:
            session_id = (await answers.get(s, ids[0])).session_id
        for path in (
            "/console/queue",
            f"/console/answers/{ids[1]}",
            f"/console/transcripts/{session_id}",
            "/console/transcripts?consultation=mobilite&q=window",
        ):
            await page.goto(site.url + path)
            await page.wait_for_load_state("load")
            assert await page.evaluate("window.__ran === undefined"), path
            assert await page.locator("main img, main script").count() == 0, path
            assert await page.locator("a[href^='javascript']").count() == 0, path
        await page.goto(f"{site.url}/console/queue")
        for text in MARKUP:
            await playwright_api.expect(page.get_by_text(text, exact=True).first).to_be_visible()
        await page.locator(f"#item-{ids[2]} blockquote").click()
        assert await page.evaluate("window.__ran === undefined")
        assert page.errors == []


async def test_every_console_page_passes_axe_at_320_px(browser, database_url: str, tmp_path: Path):
    axe_or_skip()
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.ADMIN)
        answer_id = await site.pending("Appelez-moi au 06 12 34 56 78, le bus est en retard")
        link = await site.accounts.add("new@region.fr", ConsoleRole.MODERATOR, by="test")
        async with site.database.transaction() as s:
            session_id = (await answers.get(s, answer_id)).session_id
            await saved_replies.add(
                s, "fr", "Accusé de réception", "Bien reçu, merci.", by="test", now=_now()
            )
            # A draft follow-up, listed with its "Send now".
            await follow_ups.create(s, "mobilite", {"fr": "Merci", "en": "Thanks"}, "t", now=_now())
        waiting = await site.asks_for_a_person("rest", "alice")
        page = await _page(browser, NARROW, bypass_csp=True)  # only to inject axe
        checked = []
        welcome = site.url + "/console/welcome/" + link.url.rsplit("/", 1)[1]
        for url in (f"{site.url}/console/login", welcome):
            await page.goto(url)
            checked.append((url, await violations(page), await _overflow(page)))
        await _sign_in(page, site, "ana@region.fr")
        for path in (
            "/console/",
            "/console/queue",
            "/console/queue?pd=1&status=pending",
            f"/console/answers/{answer_id}",
            f"/console/transcripts/{session_id}",
            "/console/transcripts?consultation=mobilite&q=bus",
            "/console/audit",
            "/console/2fa",
            "/console/inbox",
            f"/console/inbox/{waiting}",
            "/console/saved-replies",
            "/console/follow-ups",
            "/console/follow-ups/mobilite/new",
            "/console/no-such-page",  # the refusal page (404; also 403 and 503)
        ):
            await page.goto(site.url + path)
            checked.append((path, await violations(page), await _overflow(page)))
        await page.goto(f"{site.url}/console/queue")
        await page.keyboard.press("?")
        checked.append(("keys", await violations(page), await _overflow(page)))
        await shot(page, "console-queue-320")
    problems = [(url, violations, wide) for url, violations, wide in checked if violations or wide]
    assert problems == []
    assert page.errors == []


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _overflow(page) -> bool:
    """Whether the page scrolls sideways."""
    return bool(await page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"))
