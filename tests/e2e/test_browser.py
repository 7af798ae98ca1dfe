"""The web chat in real headless Chromium: a resident completes the demo
consultation on the full page and in the widget embedded on another site, by
typing, by tapping, with the keyboard only, across a reload; roles, names,
focus, contrast and reflow are checked, and axe-core finds no WCAG 2.1 A/AA
violation at any step. Screenshots go to test-artifacts/."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

from bot.app import WEBCHAT
from bot.channel_contract import Conversations, InboundMessage
from flows.replies import Reply
from tests.axe import axe_or_skip, violations
from tests.serving import DEMO, running, settings_for

playwright_api = pytest.importorskip("playwright.async_api")

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
expect = playwright_api.expect
# The interface's own words, by language (bot/web/static/widget.js).
WORDS = {
    "fr": {"message": "Votre message", "launcher": "Donner mon avis", "start": "Commencer"},
    "en": {"message": "Your message", "launcher": "Have your say", "start": "Start"},
}
# What a person would wait for, not Playwright's 5 s: the suite also runs on a
# loaded 2-core machine, where a page and its server share the cores.
expect.set_options(timeout=15_000)


def _browser_or_skip() -> None:
    if Path(CHROMIUM).exists() and shutil.which(CHROMIUM):
        return
    if os.environ.get("CONSULTBOT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{CHROMIUM} is missing and CONSULTBOT_REQUIRE_BROWSER=1")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


class Gate:
    """The real service behind a gate, so a test can hold a reply back."""

    def __init__(self) -> None:
        self.service: Conversations | None = None
        self.open = asyncio.Event()
        self.open.set()
        self.waiting = 0  # messages held at the gate right now
        self.arrived = asyncio.Event()

    def __call__(self, service: Conversations) -> Gate:
        self.service = service
        return self

    async def handle(self, message: InboundMessage) -> Sequence[Reply]:
        self.waiting += 1
        self.arrived.set()
        try:
            await self.open.wait()
        finally:
            self.waiting -= 1
        assert self.service is not None
        return await self.service.handle(message)

    async def until_waiting(self, count: int) -> None:
        while self.waiting < count:
            self.arrived.clear()
            await self.arrived.wait()


@dataclass
class Site:
    bot: str  # the consultbot server
    host: str  # a region's page, another origin, that embeds the widget
    gate: Gate
    app: web.Application


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    _browser_or_skip()
    holder: dict[str, str] = {}

    async def region_page(request: web.Request) -> web.Response:
        lang = request.query.get("lang", "fr")
        html = f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Région</title></head>
<body><h1>Région Centre-Val de Loire</h1><p><a href="#news" id="news">Actualités</a></p>
<script src="{holder["bot"]}/widget.js" data-consultation="mobilite" defer></script>
</body></html>"""
        return web.Response(text=html, content_type="text/html")

    host_app = web.Application()
    host_app.router.add_get("/", region_page)
    host_runner = web.AppRunner(host_app, access_log=None)
    await host_runner.setup()
    host_site = web.TCPSite(host_runner, "127.0.0.1", 0)
    await host_site.start()
    host = f"http://127.0.0.1:{host_runner.addresses[0][1]}"
    gate = Gate()
    settings = settings_for(tmp_path, server={"allowed_origins": [host]})
    try:
        async with running(settings, wrap=gate) as (bot, app):
            holder["bot"] = bot
            yield Site(bot, host, gate, app)
    finally:
        await host_runner.cleanup()


class Network:
    """A loopback TCP proxy between the browser and the server. `go_silent()` does
    what a phone moving from Wi-Fi to 4G does to a connection already open: nothing
    passes any more, and nothing closes it. New connections pass, unless the network
    is `down()` (refused at once, as when there is no network yet)."""

    def __init__(self) -> None:
        self.generation = 0  # connections of an older generation pass nothing
        self.refusing = False
        self.target = 0
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []
        self.tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def close(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.close()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.server.wait_closed()

    def go_silent(self) -> None:
        self.generation += 1

    def down(self) -> None:
        self.refusing = True

    def up(self) -> None:
        self.refusing = False

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        if self.refusing:
            writer.close()
            return
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        generation = self.generation
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target)
        self.writers.append(upstream_writer)
        await asyncio.gather(
            self._pipe(reader, upstream_writer, generation),
            self._pipe(upstream_reader, writer, generation),
        )

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, generation: int
    ) -> None:
        try:
            while data := await reader.read(65536):
                if generation == self.generation:
                    writer.write(data)
                    await writer.drain()
        except ConnectionError:
            pass
        if generation == self.generation:
            writer.close()


@dataclass
class Behind:
    url: str  # the server, through the network
    network: Network


@pytest.fixture
async def behind(tmp_path: Path) -> AsyncIterator[Behind]:
    """The server reached through a `Network` that can go silent."""
    _browser_or_skip()
    network = Network()
    url = await network.start()
    settings = settings_for(tmp_path, server={"allowed_origins": [url]})
    try:
        async with running(settings) as (bot, _app):
            network.target = int(bot.rsplit(":", 1)[1])
            yield Behind(url, network)
    finally:
        await network.close()


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    _browser_or_skip()
    async with playwright_api.async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


async def new_page(browser, viewport=PHONE, **options):
    context = await browser.new_context(viewport=viewport, **options)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    return page


async def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_of(page):
    return page.get_by_role("log", name="Discussion")


async def answered(page, action) -> str:
    """Do `action` (send a message) and wait for the assistant's answer: the text
    of its last message."""
    messages = page.locator(".msg.bot")
    before = await messages.count()
    await action
    await expect(messages).not_to_have_count(before)
    await expect(page.get_by_role("status")).to_have_text("")
    return await messages.last.locator("p").inner_text()


async def type_message(page, text: str, lang: str = "fr") -> None:
    box = page.get_by_role("textbox", name=WORDS[lang]["message"])
    await box.fill(text)
    await box.press("Enter")


def say(page, text: str):
    return answered(page, type_message(page, text))


def tap_only(page, name: str):
    return page.get_by_role("button", name=name, exact=True).click()


def tap(page, name: str):
    return answered(page, tap_only(page, name))


async def test_a_resident_completes_the_consultation_by_typing(site, browser):
    page = await new_page(browser)
    await page.goto(site.bot + "/")
    await expect(log_of(page)).to_be_visible()
    await shot(page, "page-360-empty")
    last = ""
    for text in DEMO:
        last = await say(page, text)
    assert last.startswith("Merci")
    mine = await page.locator(".msg.me p").all_inner_texts()
    assert mine == list(DEMO)
    await shot(page, "page-360-complete")
    assert page.errors == []


async def test_a_resident_completes_the_consultation_by_tapping(site, browser):
    page = await new_page(browser)
    await page.goto(site.bot + "/")
    await tap(page, "Commencer")
    await tap(page, "Oui")
    await tap(page, "Train")
    # The answered set is disabled; the chosen answer stays readable.
    train = page.get_by_role("button", name="Train", exact=True)
    await expect(train).to_be_disabled()
    await expect(train).to_have_class("choice chosen")
    await expect(page.get_by_role("button", name="Voiture")).to_be_disabled()
    await tap(page, "4")
    await say(page, "45000")
    assert (await say(page, DEMO[-1])).startswith("Merci")
    mine = await page.locator(".msg.me p").all_inner_texts()
    assert mine == ["bonjour", "Oui", "Train", "4", "45000", DEMO[-1]]
    await shot(page, "page-360-tapped")


async def test_a_reload_half_way_resumes_where_the_resident_was(site, browser):
    page = await new_page(browser)
    await page.goto(site.bot + "/")
    for text in DEMO[:3]:
        await say(page, text)
    before = await page.locator(".msg").all_inner_texts()
    await page.reload()
    # The transcript is back, once, and the conversation goes on from there.
    await expect(page.locator(".msg")).to_have_count(len(before))
    assert await page.locator(".msg").all_inner_texts() == before
    await expect(page.get_by_role("button", name="Commencer")).to_be_hidden()
    await tap(page, "4")
    last = ""
    for text in DEMO[4:]:
        last = await say(page, text)
    assert last.startswith("Merci")
    await expect(page.locator(".msg.me")).to_have_count(6)


async def test_a_message_typed_while_the_server_is_slow_is_answered_once(site, browser):
    page = await new_page(browser)
    await page.goto(site.bot + "/")
    await say(page, "bonjour")
    answered_before = await page.locator(".msg.bot").count()
    site.gate.open.clear()
    await type_message(page, "oui")
    await expect(page.get_by_role("status")).to_have_text("L'assistant écrit…")
    await page.reload()  # the reply had not come: the message is still pending
    site.gate.open.set()
    await expect(page.locator(".msg.bot")).not_to_have_count(answered_before)
    await expect(page.get_by_role("status")).to_have_text("")
    await expect(page.locator(".msg.me")).to_have_count(2)
    assert "1 à 5" in await say(page, "train")
    assert await page.locator(".msg.me p").all_inner_texts() == ["bonjour", "oui", "train"]


async def test_a_message_in_flight_across_a_reconnect_is_answered_once(site, browser):
    page = await new_page(browser)
    await page.goto(site.bot + "/")
    await say(page, "bonjour")
    shown = await page.locator(".msg.bot").count()
    site.gate.open.clear()
    await type_message(page, "oui")
    await site.gate.until_waiting(1)
    await site.app[WEBCHAT].close_all()  # the connection drops with the message in flight
    await site.gate.until_waiting(2)  # the tab reconnected and sent it again, same id
    site.gate.open.set()
    await expect(page.locator(".msg.bot")).not_to_have_count(shown)
    await expect(page.get_by_role("status")).to_have_text("")
    texts = await page.locator(".msg.bot p").all_inner_texts()
    assert len(texts) == len(set(texts))  # nothing shown twice
    assert "1 à 5" in await say(page, "train")  # and nothing lost: the consent counted once
    assert await page.locator(".msg.me p").all_inner_texts() == ["bonjour", "oui", "train"]


async def test_a_connection_gone_silent_is_noticed_and_the_message_sent_again(behind, browser):
    page = await new_page(browser)
    await page.goto(behind.url + "/")
    await say(page, "bonjour")
    shown = await page.locator(".msg.bot").count()
    behind.network.go_silent()  # Wi-Fi to 4G: the open connection passes nothing more
    behind.network.down()  # and the new network is not there yet
    await type_message(page, "oui")
    # The chat notices nothing came back, and says it is reconnecting.
    await expect(page.get_by_role("status")).to_have_text(re.compile("^Connexion"))
    behind.network.up()
    await expect(page.locator(".msg.bot")).not_to_have_count(shown)
    await expect(page.get_by_role("status")).to_have_text("")
    assert "déplacez-vous" in await page.locator(".msg.bot p").last.inner_text()
    assert "1 à 5" in await say(page, "train")  # the consent counted once
    assert await page.locator(".msg.me p").all_inner_texts() == ["bonjour", "oui", "train"]
    assert page.errors == []


async def test_back_online_the_chat_drops_the_connection_of_the_old_network(behind, browser):
    page = await new_page(browser)
    await page.goto(behind.url + "/")
    await say(page, "bonjour")
    behind.network.go_silent()
    behind.network.down()
    await page.evaluate("window.dispatchEvent(new Event('online'))")
    await expect(page.get_by_role("status")).to_have_text(re.compile("^Connexion"))
    behind.network.up()
    await expect(page.get_by_role("status")).to_have_text("")
    assert "déplacez-vous" in await say(page, "oui")
    assert page.errors == []


async def test_the_widget_works_with_the_keyboard_only(site, browser):
    page = await new_page(browser, viewport=DESKTOP)
    await page.goto(site.host + "/")
    launcher = page.get_by_role("button", name="Donner mon avis")
    await expect(launcher).to_have_attribute("aria-expanded", "false")
    await shot(page, "widget-1280-closed")
    await page.keyboard.press("Tab")  # the page's link
    await page.keyboard.press("Tab")  # the launcher
    assert await focused(page) == "Donner mon avis"
    await page.keyboard.press("Enter")
    await expect(launcher).to_have_attribute("aria-expanded", "true")
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_have_accessible_name("Mobilité en Centre-Val de Loire")
    assert await focused(page) == "Votre message"  # opening moved focus to the input
    await page.keyboard.type("bonjour")
    await answered(page, page.keyboard.press("Enter"))
    # Quick replies are real buttons reached with Tab, pressed with Enter or Space.
    await page.keyboard.press("Shift+Tab")
    assert await focused(page) == "Non"
    await page.keyboard.press("Shift+Tab")
    assert await focused(page) == "Oui"
    await answered(page, page.keyboard.press("Space"))
    assert await focused(page) == "Votre message"  # back in the input, not lost
    await shot(page, "widget-1280-open")
    await page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    await expect(launcher).to_have_attribute("aria-expanded", "false")
    assert await focused(page) == "Donner mon avis"
    shown = await page.locator(".msg").count()
    await page.keyboard.press("Enter")  # reopens where it was
    await expect(page.get_by_role("dialog")).to_be_visible()
    await expect(page.locator(".msg")).to_have_count(shown)
    assert page.errors == []


async def test_on_a_phone_the_open_widget_keeps_focus_inside(site, browser):
    page = await new_page(browser)
    await page.goto(site.host + "/")
    launcher = page.get_by_role("button", name="Donner mon avis")
    await launcher.click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_have_attribute("aria-modal", "true")  # it covers the page
    seen = set()
    for _ in range(8):  # round the panel twice, both ways
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.className") == "consultbot"
        seen.add(await focused(page))
    for _ in range(8):
        await page.keyboard.press("Shift+Tab")
        assert await page.evaluate("document.activeElement.className") == "consultbot"
    assert {"Fermer la discussion", "Commencer", "Votre message", "Envoyer"} <= seen
    await page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    assert await focused(page) == "Donner mon avis"
    desktop = await new_page(browser, viewport=DESKTOP)
    await desktop.goto(site.host + "/")
    await desktop.get_by_role("button", name="Donner mon avis").click()
    # Beside the page, not over it: the page stays reachable.
    await expect(desktop.get_by_role("dialog")).not_to_have_attribute("aria-modal", "true")


async def test_a_tap_raises_no_keyboard_and_the_question_stays_in_view(site, browser):
    page = await new_page(browser, has_touch=True, is_mobile=True)
    await page.goto(site.host + "/")
    await page.get_by_role("button", name="Donner mon avis").tap()
    for name in ("Commencer", "Oui"):
        await answered(page, page.get_by_role("button", name=name, exact=True).tap())
        # Focus is not in the input, which would raise the on-screen keyboard.
        assert await focused(page) != "Votre message"
    question = page.locator(".msg.bot").last
    await expect(question).to_be_in_viewport(ratio=1)
    # The on-screen keyboard opens anyway (the resident taps the input): the
    # screen is shorter, and the question is still there, above it.
    await page.set_viewport_size({"width": PHONE["width"], "height": 400})
    await expect(question).to_be_in_viewport(ratio=1)
    await expect(page.get_by_role("button", name="Train")).to_be_in_viewport(ratio=1)


async def test_every_control_of_the_widget_is_a_44_px_target(site, browser):
    page = await new_page(browser)
    await page.goto(site.host + "/")
    await page.get_by_role("button", name="Donner mon avis").click()
    await answered(page, page.get_by_role("button", name="Commencer").click())
    dialog = page.get_by_role("dialog")
    for control in await dialog.get_by_role("button").all() + [
        dialog.get_by_role("textbox", name="Votre message")
    ]:
        box = await control.bounding_box()
        assert box is not None
        assert box["width"] >= 44, await control.inner_html()
        assert box["height"] >= 44, await control.inner_html()


async def test_right_to_left_text_reads_right_to_left(site, browser):
    page = await new_page(browser)
    await page.goto(site.bot + "/")
    await say(page, "bonjour")
    box = page.get_by_role("textbox", name="Votre message")
    hebrew = "שלום, אני רוצה עוד רכבות (בערב) בין אורליאן לטור!"
    await box.fill(hebrew)
    direction = "el => getComputedStyle(el).direction"
    assert await box.evaluate(direction) == "rtl"
    await box.press("Enter")
    mine = page.locator(".msg.me p").last
    await expect(mine).to_have_text(hebrew)
    assert await mine.evaluate(direction) == "rtl"
    assert await page.locator(".msg.bot p").first.evaluate(direction) == "ltr"
    assert await box.evaluate(direction) == "ltr"  # empty again


async def test_arriving_messages_never_steal_focus(site, browser):
    page = await new_page(browser, viewport=DESKTOP)
    await page.goto(site.host + "/")
    await page.get_by_role("button", name="Donner mon avis").click()
    site.gate.open.clear()
    await type_message(page, "bonjour")
    await page.get_by_role("link", name="Actualités").focus()
    site.gate.open.set()
    await expect(page.locator(".msg.bot")).not_to_have_count(0)
    assert await page.evaluate("document.activeElement.id") == "news"


async def test_roles_and_names_for_assistive_technology(site, browser):
    page = await new_page(browser)
    await page.goto(site.bot + "/")
    log = log_of(page)
    await expect(log).to_have_attribute("role", "log")
    title = page.get_by_role("heading", name="Mobilité en Centre-Val de Loire", level=1)
    await expect(title).to_be_visible()
    await expect(page.get_by_role("region", name="Discussion")).to_be_visible()
    await expect(page.get_by_role("textbox", name="Votre message")).to_be_visible()
    await expect(page.get_by_role("button", name="Envoyer")).to_be_visible()
    await expect(page.get_by_role("status")).to_have_count(1)
    await expect(page.get_by_role("alert")).to_have_count(1)
    await say(page, "bonjour")
    # Who speaks is part of each message's text for screen readers.
    texts = await log.locator(".msg").all_inner_texts()
    assert texts[0].startswith("Vous :")
    assert all(t.startswith("Assistant :") for t in texts[1:])
    group = page.get_by_role("group", name="Réponses proposées")
    await expect(group.get_by_role("button")).to_have_count(2)
    snapshot = await log.aria_snapshot()
    assert '- text: "Vous :"\n  - paragraph: bonjour\n  - text: "Assistant :"' in snapshot


async def test_the_interface_speaks_english_with_lang_en(site, browser):
    page = await new_page(browser)
    await page.goto(site.bot + "/?lang=en")
    await expect(page.get_by_role("log", name="Chat")).to_be_visible()
    await answered(page, page.get_by_role("button", name="Start").click())
    first = page.locator(".msg.bot").first
    assert await first.locator(".sr").inner_text() == "Assistant:"
    assert (await first.locator("p").inner_text()).startswith("Hello")
    await expect(page.get_by_role("button", name="Yes", exact=True)).to_be_visible()
    host = await new_page(browser)
    await host.goto(site.host + "/?lang=en")
    await expect(host.get_by_role("button", name="Have your say")).to_be_visible()


CONTRAST_SCRIPT = """root => {
  const lum = c => {
    const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(v => {
      v = v / 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const bg = el => {
    for (let n = el; n; n = n.parentElement || (n.getRootNode && n.getRootNode().host)) {
      const c = getComputedStyle(n).backgroundColor;
      if (c && !/rgba\\(.*, 0\\)$/.test(c) && c !== "transparent") return c;
    }
    return "rgb(255, 255, 255)";
  };
  const out = [];
  for (const el of root.querySelectorAll("*")) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    const [a, b] = [lum(style.color), lum(bg(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    out.push([el.textContent.trim().slice(0, 30), Math.round(ratio * 100) / 100]);
  }
  return out;
}"""


@pytest.mark.parametrize(("width", "lang"), [(320, "fr"), (1280, "en")])
async def test_the_chat_page_and_the_widget_pass_axe_at_each_step(site, browser, width, lang):
    """axe-core finds no WCAG 2.1 A/AA violation on the full page and in the
    widget (its shadow root included): before starting, at the consent question
    and its buttons, at a choice question once one was tapped, and at the end."""
    axe_or_skip()
    found = []
    for where, url in (("page", site.bot), ("widget", site.host)):
        viewport = {"width": width, "height": 740}
        # Messages fade in over 0.2 s: axe reads them settled, as without motion.
        page = await new_page(
            browser, viewport=viewport, bypass_csp=True, reduced_motion="reduce"
        )  # bypass_csp: only to inject axe
        await page.goto(f"{url}/?lang={lang}")
        if where == "widget":
            await page.get_by_role("button", name=WORDS[lang]["launcher"]).click()
        found.append((where, "before starting", await violations(page)))
        await answered(page, tap_only(page, WORDS[lang]["start"]))
        found.append((where, "consent question", await violations(page)))
        await answered(page, tap_only(page, "Oui" if lang == "fr" else "Yes"))
        await answered(page, tap_only(page, "Train"))
        found.append((where, "a choice tapped", await violations(page)))
        for text in DEMO[3:]:
            await answered(page, type_message(page, text, lang))
        found.append((where, "completed", await violations(page)))
        assert page.errors == []
    assert [(where, step, v) for where, step, v in found if v] == []


async def test_text_contrast_is_at_least_4_5_to_1(site, browser):
    page = await new_page(browser)
    await page.goto(site.bot + "/")
    await tap(page, "Commencer")
    await tap(page, "Oui")
    root = page.locator(".consultbot")
    ratios = await root.evaluate("host => (" + CONTRAST_SCRIPT + ")(host.shadowRoot)")
    ratios += await page.locator("body").evaluate("(" + CONTRAST_SCRIPT + ")")
    assert len(ratios) > 10
    low = [(text, ratio) for text, ratio in ratios if ratio < 4.5]
    assert low == []


@pytest.mark.parametrize(("width", "text_size"), [(320, "100%"), (360, "200%"), (1280, "200%")])
async def test_it_reflows_at_320_px_and_at_200_percent_text(site, browser, width, text_size):
    for where, url in (("page", site.bot + "/"), ("widget", site.host + "/")):
        page = await new_page(browser, viewport={"width": width, "height": 740})
        await page.goto(url)
        await page.evaluate(f"document.documentElement.style.fontSize = '{text_size}'")
        if where == "widget":
            await page.get_by_role("button", name="Donner mon avis").click()
        await say(page, "bonjour")
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{where} scrolls sideways by {overflow}px"
        for name in ("Envoyer", "Oui"):
            box = await page.get_by_role("button", name=name, exact=True).bounding_box()
            assert box is not None
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= width
        await shot(page, f"{where}-{width}-text{text_size.rstrip('%')}")


@pytest.mark.parametrize("where", ["page", "widget"])
@pytest.mark.parametrize("screen", [{"width": 320, "height": 568}, PHONE])
async def test_at_200_percent_text_on_a_phone_every_control_can_be_reached(
    site, browser, where, screen
):
    page = await new_page(browser, viewport=screen)
    await larger_text(page, 200)
    if where == "page":
        await page.goto(site.bot + "/")
    else:
        await page.goto(site.host + "/")
        await page.get_by_role("button", name="Donner mon avis").click()
    panel = await page.locator(".panel").bounding_box()
    assert panel is not None
    assert panel["height"] <= screen["height"], "the chat is taller than the screen"
    start = page.get_by_role("button", name="Commencer")
    box = page.get_by_role("textbox", name="Votre message")
    send = page.get_by_role("button", name="Envoyer")
    for control in (start, box, send):  # the resident may start or type
        await on_screen(page, control)
    await answered(page, start.click())
    for control in (box, send):
        await on_screen(page, control)
    assert "déplacez-vous" in await say(page, "oui")
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    await shot(page, f"{where}-{screen['width']}x{screen['height']}-text200")
    assert page.errors == []


HOSTILE_PAGES = [
    "* { font-size: 40px !important; box-sizing: content-box }",
    "* { white-space: nowrap; letter-spacing: 4px; text-transform: uppercase;"
    " text-align: center; direction: rtl } div { padding: 30px; border: 5px solid red }",
    "html { font-size: 62.5% }",
]


@pytest.mark.parametrize("css", HOSTILE_PAGES)
async def test_the_pages_styles_do_not_reach_into_the_widget(site, browser, css):
    page = await new_page(browser)
    await page.goto(site.host + "/")
    await page.add_style_tag(content=css)
    await page.get_by_role("button", name="Donner mon avis").click()
    style = await page.locator(".panel").evaluate(
        "el => { const s = getComputedStyle(el);"
        " return [s.fontSize, s.letterSpacing, s.textTransform, s.whiteSpace, s.direction]; }"
    )
    assert style == ["16px", "normal", "none", "normal", "ltr"]
    dialog = page.get_by_role("dialog")
    for control in (
        dialog.get_by_role("button", name="Fermer"),
        dialog.get_by_role("button", name="Commencer"),
        dialog.get_by_role("textbox", name="Votre message"),
        dialog.get_by_role("button", name="Envoyer"),
    ):
        box = await control.bounding_box()
        assert box is not None
        assert 0 <= box["x"] <= PHONE["width"] - box["width"], box
        assert 0 <= box["y"] <= PHONE["height"] - box["height"], box
    await answered(page, dialog.get_by_role("button", name="Commencer").click())


async def test_the_residents_text_size_applies_to_the_widget_whatever_the_page_says(site, browser):
    page = await new_page(browser)
    await larger_text(page, 200)
    await page.goto(site.host + "/")
    await page.add_style_tag(content="html { font-size: 62.5% }")  # the page's own rem
    await page.get_by_role("button", name="Donner mon avis").click()
    size = await page.locator(".panel").evaluate("el => getComputedStyle(el).fontSize")
    assert size == "32px"


async def test_reduced_motion_turns_animations_off(site, browser):
    page = await new_page(browser, reduced_motion="reduce")
    await page.goto(site.bot + "/")
    await say(page, "bonjour")
    animation = await page.locator(".msg.bot").first.evaluate(
        "el => getComputedStyle(el).animationName"
    )
    assert animation == "none"


async def larger_text(page, percent: int) -> None:
    """The resident's own text size: the browser's default font size, as set in its
    settings (not a style of the page)."""
    cdp = await page.context.new_cdp_session(page)
    size = {"standard": 16 * percent // 100, "fixed": 13 * percent // 100}
    await cdp.send("Page.setFontSizes", {"fontSizes": size})


async def on_screen(page, locator) -> None:
    """`locator` can be brought wholly on screen (by scrolling, if need be)."""
    await locator.scroll_into_view_if_needed()
    box = await locator.bounding_box()
    screen = page.viewport_size
    assert box is not None
    assert 0 <= box["x"] <= screen["width"] - box["width"], box
    assert 0 <= box["y"] <= screen["height"] - box["height"], box


async def focused(page) -> str:
    """The accessible name (or text) of the element with focus, inside the widget too."""
    return await page.evaluate(
        """() => {
        let el = document.activeElement;
        while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
        if (!el) return "";
        if (el.labels && el.labels.length) return el.labels[0].textContent.trim();
        return (el.getAttribute("aria-label") || el.textContent || "").trim();
    }"""
    )
