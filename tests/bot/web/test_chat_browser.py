"""The web chat on a phone, in real headless Chromium: a connection that dies
while the resident waits for a slow reply, and the widget at large text on a
narrow screen. (The demo end to end, keyboard, axe: tests/e2e/test_browser.py.)"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

from bot.app import DATABASE, TEAM_MESSAGES, WEBCHAT
from storage import team_messages
from storage.models import TeamMessageState
from tests.e2e.test_browser import (
    Gate,
    Network,
    _browser_or_skip,
    answered,
    expect,
    focused,
    larger_text,
    log_of,
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
    app: web.Application


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
        async with running(settings, wrap=gate) as (bot, app):
            network.target = int(bot.rsplit(":", 1)[1])
            yield SlowBehind(url, network, gate, app)
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


async def test_a_team_reply_sent_as_the_connection_went_silent_is_shown_after_the_reconnect(
    slow_behind, browser
):
    site = slow_behind
    page = await _asking_for_a_person(site, browser)
    # The phone leaves Wi-Fi while the resident reads: the server still takes
    # the chat for open, and the team's reply goes into the dead connection.
    site.network.go_silent()
    site.network.down()
    await _team_replies_unseen(site, "Bonjour, ici l'équipe.")
    await type_message(page, "train")
    site.network.up()
    team = log_of(page).locator(".msg.team")
    await expect(team).to_have_count(1)
    await expect(team.locator("p")).to_have_text("Bonjour, ici l'équipe.")
    await expect(page.get_by_role("status")).to_have_text("")
    assert "1 à 5" in await page.locator(".msg.bot p").last.inner_text()
    assert "1 à 5" not in await say(page, "4")  # shown once, and not again inside a reply
    await expect(team).to_have_count(1)
    bot_texts = await page.locator(".msg.bot p").all_inner_texts()
    assert not [text for text in bot_texts if "ici l'équipe" in text]
    assert page.errors == []


@pytest.mark.parametrize("resident", ["looks_again", "keeps_watching"])
async def test_a_team_reply_held_by_a_dead_idle_connection_reaches_the_resident(
    slow_behind, browser, resident
):
    site = slow_behind
    page = await _asking_for_a_person(site, browser)
    # The phone changes networks while the resident waits, in a pocket or in hand.
    site.network.go_silent()
    await _team_replies_unseen(site, "Nous revenons vers vous.")
    if resident == "looks_again":  # the phone woken, the tab shown again
        await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    # Nothing typed: looked at again, the chat checks its connection at once (a
    # reply within seconds); kept in view, it does every 25 s.
    team = log_of(page).locator(".msg.team")
    await expect(team).to_have_count(1, timeout=15_000 if resident == "looks_again" else 60_000)
    await expect(team.locator("p")).to_have_text("Nous revenons vers vous.")
    await expect(page.get_by_role("status")).to_have_text("")
    assert "1 à 5" in await say(page, "train")
    assert page.errors == []


async def test_opening_the_widget_with_a_tap_raises_no_keyboard_over_it(site, browser):
    page = await new_page(browser, has_touch=True, is_mobile=True)
    await page.goto(site.host + "/")
    await page.get_by_role("button", name="Donner mon avis").tap()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_be_visible()
    # Focus is in the chat (a screen reader starts there), not in the input,
    # whose on-screen keyboard would cover the hint and the start button.
    assert await page.evaluate("document.activeElement.className") == "consultbot"
    assert await focused(page) != "Votre message"
    await expect(dialog.get_by_role("button", name="Commencer")).to_be_in_viewport(ratio=1)
    await page.keyboard.press("Escape")  # a keyboard attached to the phone still closes it
    await expect(dialog).to_be_hidden()
    # Opened from the keyboard, the chat is ready to type in, as before.
    await page.keyboard.press("Enter")
    await expect(dialog).to_be_visible()
    assert await focused(page) == "Votre message"


async def test_the_widget_opens_on_a_browser_of_an_older_iphone(site, browser):
    """Safari before 14 (iOS 13 and older) has no addEventListener on a media
    query, only addListener."""
    page = await new_page(browser)
    await page.add_init_script("MediaQueryList.prototype.addEventListener = undefined")
    await page.goto(site.host + "/")
    await page.get_by_role("button", name="Donner mon avis").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_have_attribute("aria-modal", "true")  # it covers the page
    await answered(page, dialog.get_by_role("button", name="Commencer").click())
    assert page.errors == []


async def test_the_ok_of_a_multiple_choice_is_unavailable_until_a_box_is_ticked(lycees, browser):
    page = await _at_travel_modes(lycees, browser)
    ok = page.get_by_role("button", name="Valider ma sélection")
    train = page.get_by_role("button", name="Train", exact=True)
    await expect(ok).to_have_attribute("aria-disabled", "true")  # said so, and shown so
    assert await ok.evaluate("el => getComputedStyle(el).cursor") == "not-allowed"
    await ok.tap(force=True)  # nothing ticked: nothing is sent
    await expect(page.locator(".msg.me")).to_have_count(6)
    await train.tap()
    await expect(ok).to_have_attribute("aria-disabled", "false")
    await train.tap()  # ticked off again
    await expect(ok).to_have_attribute("aria-disabled", "true")
    await train.tap()
    assert "bâtiments" in await answered(page, ok.tap())
    await expect(page.locator(".msg.me p").last).to_have_text("Train")
    assert page.errors == []


async def test_a_tick_past_a_multiple_choices_maximum_is_refused_as_it_is_ticked(lycees, browser):
    page = await _at_travel_modes(lycees, browser)
    choices = page.locator(".choices").last
    for name in ("Car scolaire", "Train", "Voiture"):
        await choices.get_by_role("button", name=name, exact=True).tap()
    bike = choices.get_by_role("button", name="Vélo ou trottinette")
    await bike.tap()  # a fourth of "three at most": refused now, not at OK
    alert = page.get_by_role("alert")
    await expect(alert).to_have_text(
        "3 réponses au plus : décochez-en une pour en choisir une autre."
    )
    await expect(bike).to_have_attribute("aria-pressed", "false")
    await expect(page.locator(".msg.me")).to_have_count(6)  # nothing sent
    await choices.get_by_role("button", name="Train", exact=True).tap()  # ticked off
    await expect(alert).to_have_text("")
    await bike.tap()  # takes its place
    await expect(bike).to_have_attribute("aria-pressed", "true")
    ok = page.get_by_role("button", name="Valider ma sélection")
    assert "bâtiments" in await answered(page, ok.tap())  # taken
    await expect(page.locator(".msg.me p").last).to_have_text(
        "Car scolaire, Voiture, Vélo ou trottinette"
    )
    assert page.errors == []


async def _at_travel_modes(lycees: str, browser):
    """A resident's phone, on the lycées consultation, asked how they make the
    journey: a multiple choice of three at most."""
    page = await new_page(browser, has_touch=True, is_mobile=True)
    await page.goto(lycees + "/")
    for name in ("Commencer", "Oui", "Lycéen ou lycéenne"):
        await answered(page, page.get_by_role("button", name=name, exact=True).tap())
    for text in ("28000", "Chartres"):
        await say(page, text)
    assert "jusqu'à trois réponses" in await say(page, "35")
    return page


async def _asking_for_a_person(site: SlowBehind, browser):
    """A resident's page, in the chat, after asking for a person ("humain")."""
    site.app[WEBCHAT].push.seen_within = 1.0
    page = await new_page(browser)
    await page.goto(site.url + "/")
    for text in ("bonjour", "oui", "humain"):
        await say(page, text)
    return page


async def _team_replies_unseen(site: SlowBehind, text: str) -> None:
    """The team replies to the resident of `_asking_for_a_person`, whose tab
    never says it has the reply: it waits again."""
    messages = site.app[TEAM_MESSAGES]
    [waiting] = await messages.inbox()
    now = dt.datetime.now(dt.UTC)
    await messages.reply(waiting.session_id, text, "moderator-7", now)
    await _until_queued(site.app, waiting.session_id)


async def _until_queued(app: web.Application, session_id: int) -> None:
    """Waits (15 s at most) until the session's team message waits again (the
    database is looked at: nothing signals the change)."""
    states: list[TeamMessageState] = []
    for _ in range(150):
        async with app[DATABASE].transaction() as session:
            states = [m.state for m in await team_messages.for_session(session, session_id)]
        if states == [TeamMessageState.QUEUED]:
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"the team's message is {states}, not given back")


@pytest.mark.parametrize("screen", [{"width": 320, "height": 568}, {"width": 568, "height": 320}])
async def test_at_200_percent_text_the_widgets_title_bar_stays_in_view(site, browser, screen):
    page = await new_page(browser, viewport=screen)
    await larger_text(page, 200)
    await page.goto(site.host + "/")
    await page.get_by_role("button", name="Donner mon avis").click()
    dialog = page.get_by_role("dialog")
    await answered(page, dialog.get_by_role("button", name="Commencer").click())
    # The resident goes down to the input to answer: the panel scrolls.
    await dialog.get_by_role("textbox", name="Votre message").focus()
    await page.locator(".panel").evaluate("panel => { panel.scrollTop = panel.scrollHeight; }")
    assert await page.locator(".panel").evaluate("panel => panel.scrollTop") > 0
    close = dialog.get_by_role("button", name="Fermer")
    box = await close.bounding_box()
    assert box is not None
    assert 0 <= box["x"] <= screen["width"] - box["width"], box
    assert 0 <= box["y"] <= screen["height"] - box["height"], box
    # Staying, it takes no more room than its close button needs: a long title
    # shows two lines at most (the whole title is the dialog's name).
    bar = await page.locator(".head").bounding_box()
    assert bar is not None
    assert bar["height"] <= box["height"] * 1.25, (bar, box)
    await expect(dialog).to_have_accessible_name("Mobilité en Centre-Val de Loire")
    # Tapped where it shows, without scrolling first: nothing covers it.
    await page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    await expect(dialog).to_be_hidden()
    await expect(page.get_by_role("button", name="Donner mon avis")).to_be_focused()
