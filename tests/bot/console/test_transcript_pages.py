"""The transcript search as a moderator uses it over real HTTP: a resident on
the phone reads out their receipt code, and the moderator finds their
conversation; a transcript leads back to where it was opened from."""

import html as markup
import re
from pathlib import Path

from bot.app import CONVERSATIONS
from storage import answers, participants, sessions
from storage.models import ConsoleRole
from tests.bot.console.site import Site, client, console_site, sign_in
from tests.serving import DEMO

CODE = re.compile(r"code de suivi : (MOB-[0-9A-Z]{4})")
CONVERSATION = re.compile(r'href="/console/transcripts/(\d+)(?:\?[^"]*)?">Conversation')
BACK = re.compile(r'<a href="([^"]*)">(Back[^<]*)</a>')


async def _completes(site: Site, user: str) -> tuple[str, int]:
    """`user` completes the demo consultation: their receipt code, as the
    outro gives it, and their conversation's number."""
    replies: list[str] = []
    for text in DEMO:
        replies = await site.says("rest", user, text)
    found = CODE.search(" ".join(replies))
    assert found is not None, replies
    service = site.app[CONVERSATIONS]
    async with site.database.read() as s:
        participant = await participants.find(s, "rest", service.pseudonym("rest", user))
        assert participant is not None
        latest = await sessions.latest(s, participant.id)
        assert latest is not None
    return found[1], latest.id


async def _conversations(http, site: Site, typed: str, consultation: str = "lycees") -> list[int]:
    async with http.get(
        f"{site.url}/console/transcripts", params={"consultation": consultation, "q": typed}
    ) as response:
        assert response.status == 200
        page = markup.unescape(await response.text())
    return [int(number) for number in CONVERSATION.findall(page)]


async def test_a_receipt_code_typed_any_way_finds_the_residents_conversation(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        await site.user("leo@region.fr", ConsoleRole.MODERATOR, consultations=["lycees"])
        code, conversation = await _completes(site, "alice")
        other_code, other = await _completes(site, "bruno")
        assert other_code != code
        prefix, rest = code.split("-")
        async with client() as http:
            await sign_in(http, site, "ana@region.fr")
            # Whatever consultation the form had chosen: the code names its own.
            for typed in (code, code.lower(), f"{prefix}{rest}".lower(), f" {prefix}{rest} "):
                assert await _conversations(http, site, typed) == [conversation], typed
            assert await _conversations(http, site, other_code) == [other]
        async with client() as http:
            await sign_in(http, site, "leo@region.fr")  # moderates lycees only
            async with http.get(f"{site.url}/console/transcripts", params={"q": code}) as response:
                page = markup.unescape(await response.text())
        assert CONVERSATION.findall(page) == []
        assert f"No completed contribution has the code {code}" in page


async def _back_from_transcript(http, site: Site, page: str, session_id: int) -> tuple[str, str]:
    """Open the transcript link of `page`: where its link back goes, and its words."""
    link = re.search(rf'href="(/console/transcripts/{session_id}\?[^"]*)"', page)
    assert link is not None, page
    async with http.get(site.url + markup.unescape(link[1])) as response:
        assert response.status == 200
        found = BACK.search(await response.text())
    assert found is not None
    return markup.unescape(found[1]), found[2]


async def test_a_transcript_links_back_to_the_search_or_queue_it_was_opened_from(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        answer_id = await site.pending("Le tram est trop cher")
        async with site.database.read() as s:
            session_id = (await answers.get(s, answer_id)).session_id
        async with client() as http:
            await sign_in(http, site, "ana@region.fr")
            for opened_from, words in (
                ("/console/transcripts?consultation=mobilite&q=tram", "Back to the search"),
                ("/console/queue?channel=webchat", "Back to the queue"),
            ):
                async with http.get(site.url + opened_from) as response:
                    page = await response.text()
                back = await _back_from_transcript(http, site, page, session_id)
                assert back == (opened_from, words)
            elsewhere = f'href="/console/transcripts/{session_id}?back=//elsewhere.example/"'
            assert await _back_from_transcript(http, site, elsewhere, session_id) == (
                "/console/transcripts",
                "Back to the transcript search",
            )
