"""Follow-ups in the console, over real HTTP on both databases: an organizer
writes one in every language of the flow, previews it as residents will read
it, stores it as a draft that no resident sees, and sends it (and is told when
there was nobody to send it to); a text missing a language is shown again with
a message and nothing is stored; another consultation's organizer is refused."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from bot.app import CONVERSATIONS
from bot.conversation import ConversationService
from storage import audit, follow_ups, participants, team_messages
from storage.models import ConsoleRole
from tests.bot.console.site import Site, client, console_site, post_form, sign_in
from tests.serving import DEMO

NEWS = "La Région ajoute <b>deux trains</b> le soir entre Orléans et Tours."


async def _resident_who_asked_for_news(site: Site) -> int:
    """A REST resident who took part in mobilite and asked for its follow-ups."""
    for text in ("bonjour", "oui", "train"):
        await site.says("rest", "camille", text)
    conversations = site.app[CONVERSATIONS]
    assert isinstance(conversations, ConversationService)
    async with site.database.transaction() as s:
        found = await participants.find(s, "rest", conversations.pseudonym("rest", "camille"))
        assert found is not None
        await follow_ups.give(s, found.id, "mobilite", now=found.created_at)
        return found.id


async def test_an_organizer_writes_previews_stores_and_sends_a_follow_up(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("olga@region.fr", ConsoleRole.ORGANIZER, consultations=["mobilite"])
        resident = await _resident_who_asked_for_news(site)
        async with client() as http:
            token = await sign_in(http, site, "olga@region.fr")
            async with http.get(f"{site.url}/console/follow-ups/mobilite/new") as response:
                form = await response.text()
            assert response.status == 200
            assert re.findall(r'name="text_(\w+)"', form) == ["fr", "en"]

            texts = {"csrf": token, "text_fr": NEWS, "text_en": "Two more evening trains."}
            status, _, preview = await post_form(
                http, site, "/console/follow-ups/mobilite/new", {**texts, "action": "preview"}
            )
            assert status == 200
            assert "Message de l&#39;équipe de la consultation" in preview
            assert "&lt;b&gt;deux trains&lt;/b&gt;" in preview  # shown as text
            async with site.database.transaction() as s:
                assert (
                    await follow_ups.of_consultation(s, "mobilite") == []
                )  # a preview stores nothing

            status, where, listing = await post_form(
                http, site, "/console/follow-ups/mobilite/new", {**texts, "action": "store"}
            )
            assert (status, where) == (200, "/console/follow-ups")
            assert "Stored as a draft: no resident sees it until you press Send now" in listing
            async with site.database.transaction() as s:
                [stored] = await follow_ups.of_consultation(s, "mobilite")
            assert re.search(r"<td>0</td>\s*<td>0</td>\s*<td>0</td>", listing)  # no copy yet
            assert "Not sent to anyone yet" in listing
            # The resident writes before "Send now": the draft is not for them yet.
            before = " ".join(await site.says("rest", "camille", "4"))
            assert "deux trains" not in before

            status, where, sending = await post_form(
                http, site, f"/console/follow-ups/mobilite/{stored.id}/send", {"csrf": token}
            )
            assert (status, where) == (200, "/console/follow-ups")
            assert "Sending: Telegram residents and open web chats get it now" in sending
            assert re.search(r"<td>1</td>\s*<td>0</td>\s*<td>1</td>", sending)  # 1, waiting
            await asyncio.sleep(0.5)  # the send runs in the server: a REST copy stays waiting
        after = " ".join(await site.says("rest", "camille", "45000"))
        assert "deux trains" in after  # French, their language, with their next replies
        async with site.database.transaction() as s:
            copies = await team_messages.claim_waiting(s, resident, now=stored.created_at)
            progress = await follow_ups.progress(s, stored.id)
            created = await audit.recent(s, action="follow_up.create")
            sent = await audit.recent(s, action="follow_up.send")
        assert copies == []  # shown once
        assert (progress.total, progress.delivered) == (1, 1)
        assert [(r.actor, r.subject) for r in created + sent] == [
            ("olga@region.fr", f"follow_up:{stored.id}"),
            ("olga@region.fr", f"follow_up:{stored.id}"),
        ]
        async with client() as http:  # "Send now" again: nobody new to send to
            token = await sign_in(http, site, "olga@region.fr")
            _, _, again = await post_form(
                http, site, f"/console/follow-ups/mobilite/{stored.id}/send", {"csrf": token}
            )
        assert "Nothing new to send: every resident who asked" in again


async def test_sending_a_follow_up_nobody_asked_for_says_nothing_was_sent(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("olga@region.fr", ConsoleRole.ORGANIZER)
        async with client() as http:
            token = await sign_in(http, site, "olga@region.fr")
            texts = {"csrf": token, "text_fr": NEWS, "text_en": "Two more evening trains."}
            await post_form(
                http, site, "/console/follow-ups/mobilite/new", {**texts, "action": "store"}
            )
            async with site.database.read() as s:
                [stored] = await follow_ups.of_consultation(s, "mobilite")
            _, _, page = await post_form(
                http, site, f"/console/follow-ups/mobilite/{stored.id}/send", {"csrf": token}
            )
        assert "Nothing was sent: no resident has asked for this consultation" in page
        assert "Sending:" not in page


async def test_a_missing_language_is_shown_again_and_nothing_is_stored(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("olga@region.fr", ConsoleRole.ORGANIZER)
        async with client() as http:
            token = await sign_in(http, site, "olga@region.fr")
            status, _, page = await post_form(
                http,
                site,
                "/console/follow-ups/mobilite/new",
                {"csrf": token, "text_fr": NEWS, "text_en": " ", "action": "store"},
            )
        assert status == 400
        assert "no text in &#39;en&#39;" in page
        assert "deux trains" in page  # what was typed is kept
        async with site.database.transaction() as s:
            assert await follow_ups.of_consultation(s, "mobilite") == []


async def test_another_consultations_organizer_and_a_moderator_are_refused(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("lea@region.fr", ConsoleRole.ORGANIZER, consultations=["lycees"])
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        for email in ("lea@region.fr", "ana@region.fr"):
            async with client() as http:
                await sign_in(http, site, email)
                async with http.get(f"{site.url}/console/follow-ups/mobilite/new") as response:
                    assert response.status == 403


async def test_an_organizer_tries_a_follow_up_on_their_own_conversation_only(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("olga@region.fr", ConsoleRole.ORGANIZER, consultations=["mobilite"])
        await _resident_who_asked_for_news(site)  # camille, who asked for the news too
        # Olga takes the consultation herself and asks for its follow-ups.
        for text in DEMO:
            said = await site.says("rest", "olga", text)
        found = re.search(r"code de suivi : (MOB-[0-9A-Z]{4})", " ".join(said))
        assert found is not None, said
        conversations = site.app[CONVERSATIONS]
        assert isinstance(conversations, ConversationService)
        async with site.database.transaction() as s:
            olga = await participants.find(s, "rest", conversations.pseudonym("rest", "olga"))
            assert olga is not None
            await follow_ups.give(s, olga.id, "mobilite", now=olga.created_at)
        async with client() as http:
            token = await sign_in(http, site, "olga@region.fr")
            texts = {"csrf": token, "text_fr": NEWS, "text_en": "Two more evening trains."}
            await post_form(
                http, site, "/console/follow-ups/mobilite/new", {**texts, "action": "store"}
            )
            async with site.database.transaction() as s:
                [stored] = await follow_ups.of_consultation(s, "mobilite")
            path = f"/console/follow-ups/mobilite/{stored.id}/test"
            status, where, page = await post_form(
                http, site, path, {"csrf": token, "code": "MOB-2ZZZ"}
            )
            assert (status, where) == (200, "/console/follow-ups")
            assert "No resident who asked for this consultation&#39;s follow-ups" in page
            status, where, page = await post_form(
                http, site, path, {"csrf": token, "code": found[1].lower()}
            )
            assert "Test sent to that conversation only" in page
        olga_reads = " ".join(await site.says("rest", "olga", "merci"))
        camille_reads = " ".join(await site.says("rest", "camille", "merci"))
        assert f"[Test] {NEWS}" in olga_reads
        assert "[Test]" not in camille_reads  # the others get the follow-up itself only
        async with site.database.transaction() as s:
            progress = await follow_ups.progress(s, stored.id)
            replies = await audit.recent(s, action="team.reply")
        assert progress.total == 0  # still a draft: the test is no copy of the follow-up
        assert [r.actor for r in replies] == ["olga@region.fr"]
