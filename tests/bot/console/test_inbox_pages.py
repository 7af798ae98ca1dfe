"""The console's inbox of residents who asked for a person, over real HTTP on
both databases: who waits (and only in the consultations a moderator has),
a reply in the resident's channel, handled and reopened, saved replies kept
by an admin, every action audited without the resident's or the team's words,
and bad input answered with a message and nothing changed."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import aiohttp

from storage import audit, saved_replies, team_messages
from storage.models import ConsoleRole, TeamMessageState
from tests.bot.console.site import Site, client, console_site, post_form, sign_in

FR_HEADER = "Message de l'équipe de la consultation :"


async def _get(http: aiohttp.ClientSession, site: Site, path: str) -> tuple[int, str]:
    async with http.get(site.url + path) as response:
        return response.status, await response.text()


def _conversations(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/console/inbox/(\d+)"', html)]


async def _messages(site: Site, session_id: int) -> list[team_messages.TeamMessage]:
    async with site.database.transaction() as s:
        return await team_messages.for_session(s, session_id)


async def test_a_moderator_answers_a_rest_resident_and_marks_the_request_handled(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        first = await site.asks_for_a_person("rest", "alice")
        second = await site.asks_for_a_person("rest", "bruno")
        async with client() as http:
            token = await sign_in(http, site, "ana@region.fr")
            status, html = await _get(http, site, "/console/")
            assert 'Residents waiting <span class="count">(2)</span>' in html
            status, html = await _get(http, site, "/console/inbox")
            assert status == 200
            assert _conversations(html) == [first, second]  # oldest request first

            status, html = await _get(http, site, f"/console/inbox/{first}")
            assert status == 200
            assert "humain" in html  # the conversation as the resident saw it
            assert "waiting" in html
            status, path, html = await post_form(
                http,
                site,
                f"/console/inbox/{first}/reply",
                {"csrf": token, "text": "Bonjour Alice, nous regardons votre question."},
            )
            assert (status, path) == (200, f"/console/inbox/{first}")
            assert "the resident sees your reply when they next open the chat or write" in html
            assert "Consultation team" in html

            [message] = await _messages(site, first)
            assert message.author == "ana@region.fr"
            assert message.state is TeamMessageState.QUEUED
            # Alice writes again: the reply comes first, then the questionnaire goes on.
            replies = await site.says("rest", "alice", "train")
            assert replies[0] == f"{FR_HEADER}\nBonjour Alice, nous regardons votre question."
            assert "1 à 5" in replies[-1]
            [message] = await _messages(site, first)
            assert message.state is TeamMessageState.DELIVERED

            status, path, html = await post_form(
                http, site, f"/console/inbox/{first}/handled", {"csrf": token}
            )
            assert (status, path) == (200, "/console/inbox")
            assert "Marked handled" in html
            assert _conversations(html) == [second]
            assert 'Residents waiting <span class="count">(1)</span>' in html
            # A second click (or a colleague at the same time) changes nothing, and says so.
            _, _, html = await post_form(
                http, site, f"/console/inbox/{first}/handled", {"csrf": token}
            )
            assert "Already handled: nothing changed" in html
            assert "Marked handled" not in html

            status, path, html = await post_form(
                http, site, f"/console/inbox/{first}/reopen", {"csrf": token}
            )
            assert (status, path) == (200, f"/console/inbox/{first}")
            assert "Reopened" in html
            _, _, html = await post_form(
                http, site, f"/console/inbox/{first}/reopen", {"csrf": token}
            )
            assert "Already in the inbox: nothing changed" in html
            status, html = await _get(http, site, "/console/inbox")
            assert _conversations(html) == [first, second]

        async with site.database.transaction() as s:
            records = await audit.recent(s)
        ours = [(r.action, r.actor, r.subject) for r in records if r.actor == "ana@region.fr"]
        for action in ("team.reply", "human.handled", "human.reopened"):
            assert ours.count((action, "ana@region.fr", f"session:{first}")) == 1
        everything = repr([(r.details, r.counts, r.subject) for r in records])
        assert "Alice" not in everything
        assert "humain" not in everything


async def test_a_moderator_limited_to_a_consultation_sees_and_answers_only_its_residents(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("lea@region.fr", ConsoleRole.MODERATOR, consultations=["lycees"])
        mobility = await site.asks_for_a_person("rest", "alice")
        schools = await site.asks_for_a_person("rest", "bruno", consultation="lycees")
        async with client() as http:
            token = await sign_in(http, site, "lea@region.fr")
            status, html = await _get(http, site, "/console/inbox")
            assert _conversations(html) == [schools]
            assert "(1)" in html
            status, _ = await _get(http, site, "/console/inbox?consultation=mobilite")
            assert status == 403
            status, _ = await _get(http, site, f"/console/inbox/{mobility}")
            assert status == 403
            status, _, _ = await post_form(
                http, site, f"/console/inbox/{mobility}/reply", {"csrf": token, "text": "Bonjour"}
            )
            assert status == 403
            status, _, _ = await post_form(
                http, site, f"/console/inbox/{mobility}/handled", {"csrf": token}
            )
            assert status == 403
        assert await _messages(site, mobility) == []
        async with site.database.transaction() as s:
            assert [r.session_id for r in await team_messages.waiting(s)] == [mobility, schools]


async def test_an_admin_keeps_saved_replies_and_a_moderator_sends_one(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("root@region.fr", ConsoleRole.ADMIN)
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        session_id = await site.asks_for_a_person("rest", "alice")
        async with client() as admin:
            token = await sign_in(admin, site, "root@region.fr")
            status, _, html = await post_form(
                admin,
                site,
                "/console/saved-replies",
                {"csrf": token, "language": "fr", "title": "Accusé", "text": "Bien reçu, merci."},
            )
            assert status == 200
            assert "Saved reply added." in html
            await post_form(
                admin,
                site,
                "/console/saved-replies",
                {"csrf": token, "language": "en", "title": "Thanks", "text": "Got it, thanks."},
            )
            status, _, html = await post_form(
                admin,
                site,
                "/console/saved-replies",
                {"csrf": token, "language": "fr", "title": "", "text": "Sans titre"},
            )
            assert status == 400
            assert "Give the reply a title" in html
            async with site.database.transaction() as s:
                kept = await saved_replies.listing(s)
            assert [(r.language, r.title) for r in kept] == [("en", "Thanks"), ("fr", "Accusé")]
            french = kept[1]
            status, _, html = await post_form(
                admin,
                site,
                f"/console/saved-replies/{french.id}",
                {"csrf": token, "language": "fr", "title": "Accusé", "text": "Bien reçu !"},
            )
            assert "Saved reply changed." in html

        async with client() as http:
            token = await sign_in(http, site, "ana@region.fr")
            status, html = await _get(http, site, f"/console/inbox/{session_id}")
            assert "Accusé" in html  # offered to a French-speaking resident...
            assert "Thanks" not in html  # ...not the English one
            status, path, html = await post_form(
                http,
                site,
                f"/console/inbox/{session_id}/reply",
                {"csrf": token, "saved": str(french.id), "text": "", "done": "1"},
            )
            assert path == "/console/inbox"
            assert "No resident is waiting for a person." in html
        [message] = await _messages(site, session_id)
        assert message.text == "Bien reçu !"

        async with client() as admin:
            token = await sign_in(admin, site, "root@region.fr")
            status, _, html = await post_form(
                admin, site, f"/console/saved-replies/{french.id}/delete", {"csrf": token}
            )
            assert "Saved reply removed." in html
            status, _, html = await post_form(
                admin, site, f"/console/saved-replies/{french.id}/delete", {"csrf": token}
            )
            assert status == 404
        async with site.database.transaction() as s:
            actions = [(r.action, r.subject) for r in await audit.recent(s)]
            records = await audit.recent(s)
        for action in ("saved_reply.add", "saved_reply.change", "saved_reply.remove"):
            assert (action, f"saved_reply:{french.id}") in actions
        assert "Bien reçu" not in repr([(r.details, r.counts) for r in records])


async def test_bad_replies_are_refused_with_a_message_and_nothing_changes(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        session_id = await site.asks_for_a_person("rest", "alice")
        async with client() as http:
            token = await sign_in(http, site, "ana@region.fr")
            status, _, html = await post_form(
                http, site, f"/console/inbox/{session_id}/reply", {"csrf": token, "text": "  "}
            )
            assert status == 400
            assert "the reply is empty" in html
            long = "x" * 4000
            status, _, html = await post_form(
                http, site, f"/console/inbox/{session_id}/reply", {"csrf": token, "text": long}
            )
            assert status == 400
            assert "at most 3900 fit in one message" in html
            assert long in html  # what was typed is kept in the form
            status, _, html = await post_form(
                http,
                site,
                f"/console/inbox/{session_id}/reply",
                {"csrf": token, "text": long, "done": "1"},
            )
            assert status == 400
            assert 'name="done" value="1" checked' in html  # and so is the tick
            status, _, html = await post_form(
                http, site, f"/console/inbox/{session_id}/reply", {"text": "Bonjour"}
            )
            assert status == 403  # no form token
            status, _, html = await post_form(
                http, site, "/console/inbox/999999/reply", {"csrf": token, "text": "Bonjour"}
            )
            assert status == 410
            assert "erased this conversation" in html
            status, html = await _get(http, site, "/console/inbox/999999")
            assert status == 404
        assert await _messages(site, session_id) == []


async def test_a_reply_form_sent_twice_sends_one_reply_and_says_so(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        session_id = await site.asks_for_a_person("rest", "alice")
        async with client() as http:
            token = await sign_in(http, site, "ana@region.fr")
            _, html = await _get(http, site, f"/console/inbox/{session_id}")
            found = re.search(r'name="once" value="([^"]+)"', html)
            assert found is not None, "no one-time token on the reply form"
            form = {"csrf": token, "once": found.group(1), "text": "Bonjour Alice."}
            path = f"/console/inbox/{session_id}/reply"
            # A double click: both at once; then the page sent again.
            answers = await asyncio.gather(
                post_form(http, site, path, form), post_form(http, site, path, form)
            )
            answers.append(await post_form(http, site, path, form))
            statuses = sorted(status for status, _, _ in answers)
            assert statuses == [200, 409, 409]
            for status, _, html in answers:
                if status == 409:
                    assert "Already sent" in html
                    assert "your reply was not sent a second time" in html
            _, html = await _get(http, site, f"/console/inbox/{session_id}")
            assert html.count("by ana@region.fr: queued") == 1
        [message] = await _messages(site, session_id)
        assert message.text == "Bonjour Alice."
        replies = await site.says("rest", "alice", "train")
        assert replies.count(f"{FR_HEADER}\nBonjour Alice.") == 1
        async with site.database.transaction() as s:
            sent = [r for r in await audit.recent(s) if r.action == "team.reply"]
        assert len(sent) == 1
