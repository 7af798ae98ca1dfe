"""The inbox of residents who asked for a person, in real headless Chromium on
both databases: a moderator answers a web chat resident whose chat is open in
another page (the reply appears there), a Telegram resident (the fake Bot API
receives sendMessage) and one who blocked the bot (told unreachable); marks
a request handled and reopens it, with the keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import team_messages
from storage.models import ConsoleRole, TeamMessageState
from tests.bot.channels.fake_bot_api import TOKEN, FakeBotApi, Resident
from tests.bot.console.site import Site, console_site
from tests.bot.console.test_console_browser import _page, _sign_in, browser
from tests.e2e.test_browser import log_of, say, shot

playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect
pytestmark = pytest.mark.browser
__all__ = ["browser"]  # fixture

FR_HEADER = "Message de l'équipe de la consultation :"


async def _open_conversation(page, site: Site, session_id: int) -> None:
    """From the navigation to the conversation, with the keyboard."""
    await page.goto(f"{site.url}/console/")
    link = page.get_by_role("link", name="Residents waiting (")
    await link.focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{site.url}/console/inbox")
    await page.get_by_role("link", name=f"Conversation {session_id}").focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{site.url}/console/inbox/{session_id}")


async def _reply(page, text: str) -> None:
    """Type the reply and send it with Ctrl+Enter."""
    box = page.get_by_label("Your reply")
    await box.focus()
    await page.keyboard.type(text)
    await page.keyboard.press("Control+Enter")
    await page.wait_for_load_state()


def _said(fake: FakeBotApi, resident: Resident) -> str:
    return " ".join(m.get("text", "") for m in fake.messages_to(resident))


async def _waiting(site: Site) -> list[int]:
    async with site.database.transaction() as s:
        return [r.session_id for r in await team_messages.waiting(s)]


async def test_a_reply_reaches_the_residents_open_web_chat_and_the_request_is_handled(
    browser, database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        resident = await _page(browser)
        await resident.goto(site.url + "/")
        for text in ("bonjour", "oui", "humain"):
            await say(resident, text)
        await expect(log_of(resident)).to_contain_text("un membre de l'équipe")
        [session_id] = await _waiting(site)

        moderator = await _page(browser)
        await _sign_in(moderator, site, "ana@region.fr")
        await _open_conversation(moderator, site, session_id)
        await expect(moderator.locator(".line.resident .text").last).to_have_text("humain")
        await _reply(moderator, "Bonjour, ici Ana de l'équipe.")
        await expect(moderator.get_by_role("status")).to_have_text(
            "Sent: the resident's channel has your reply."
        )

        team = log_of(resident).locator(".msg.team")
        await expect(team).to_have_count(1)
        await expect(team.locator("p")).to_have_text("Bonjour, ici Ana de l'équipe.")
        await shot(moderator, "console-inbox-replied")

        await moderator.get_by_role("button", name="Mark handled").focus()
        await moderator.keyboard.press("Enter")
        await moderator.wait_for_url(f"{site.url}/console/inbox?notice=handled")
        await expect(moderator.get_by_text("No resident is waiting for a person.")).to_be_visible()
        await expect(moderator.get_by_role("link", name="Residents waiting (0)")).to_be_visible()
        assert await _waiting(site) == []

        await moderator.goto(f"{site.url}/console/inbox/{session_id}")
        await moderator.get_by_role("button", name="Reopen").focus()
        await moderator.keyboard.press("Enter")
        await expect(moderator.get_by_role("status")).to_have_text(
            "Reopened: the conversation is back in the inbox."
        )
        assert await _waiting(site) == [session_id]
        assert resident.errors == []
        assert moderator.errors == []


async def test_a_reply_to_a_telegram_resident_reaches_the_bot_api_and_a_blocked_one_is_unreachable(
    browser, database_url: str, tmp_path: Path, fake: FakeBotApi
):
    telegram = {"bot_token": TOKEN, "api_base_url": fake.base_url}
    async with console_site(database_url, tmp_path, telegram=telegram) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        camille, dominique = Resident(4242), Resident(4243, first_name="Dominique")
        for resident in (camille, dominique):
            for text, answer in (
                ("bonjour", "Acceptez-vous"),
                ("oui", "Comment vous déplacez-vous"),
                ("humain", "un membre de l'équipe"),
            ):
                fake.user_sends(resident, text)
                await fake.wait_for(lambda r=resident, a=answer: a in _said(fake, r))
        first, second = await _waiting(site)

        moderator = await _page(browser)
        await _sign_in(moderator, site, "ana@region.fr")
        await _open_conversation(moderator, site, first)
        await expect(moderator.locator(".meta").first).to_contain_text("telegram")
        before = len(fake.messages_to(camille))
        await _reply(moderator, "Bonjour Camille, voici notre réponse.")
        await expect(moderator.get_by_role("status")).to_have_text(
            "Sent: the resident's channel has your reply."
        )
        [sent] = (await fake.wait_for_messages(camille, before + 1))[before:]
        assert sent["text"] == f"{FR_HEADER}\nBonjour Camille, voici notre réponse."

        fake.block(dominique)
        before = len(fake.messages_to(dominique))
        await _open_conversation(moderator, site, second)
        await _reply(moderator, "Bonjour Dominique.")
        await expect(moderator.get_by_role("alert")).to_contain_text(
            "Not delivered: this resident blocked the bot"
        )
        await moderator.goto(f"{site.url}/console/inbox")
        await expect(moderator.locator(".card").nth(1)).to_contain_text("unreachable")
        assert len(fake.messages_to(dominique)) == before
        async with site.database.transaction() as s:
            [message] = await team_messages.for_session(s, second)
        assert message.state is TeamMessageState.UNREACHABLE
        assert moderator.errors == []
