"""The review queue, answer, transcript and audit pages over real HTTP."""

import datetime as dt
import re
from pathlib import Path

from storage import answers, erasure, review_queue
from storage.models import ConsoleRole, ModerationStatus
from tests.bot.console.site import client, console_site, post_form, sign_in

DAY = dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC)


async def _get(http, url: str) -> tuple[int, str]:
    async with http.get(url, allow_redirects=False) as response:
        return response.status, await response.text()


async def test_filters_narrow_the_queue_and_a_huge_search_is_refused_plainly(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.ADMIN)
        bus = await site.pending("Le bus est toujours en retard", channel="telegram", at=DAY)
        phone = await site.pending("Appelez-moi au 06 12 34 56 78", at=DAY + dt.timedelta(1))
        lycee = await site.pending("La cantine est trop chère", consultation="lycees")
        async with client() as http:
            await sign_in(http, site, "ana@region.fr")
            queue = f"{site.url}/console/queue"

            async def shown(query: str) -> set[int]:
                status, html = await _get(http, f"{queue}?{query}")
                assert status == 200, html
                return {i for i in (bus, phone, lycee) if f'id="item-{i}"' in html}

            assert await shown("") == {bus, phone, lycee}
            assert await shown("consultation=lycees") == {lycee}
            assert await shown("channel=telegram") == {bus}
            assert await shown("q=RETARD") == {bus}
            assert await shown("pd=1") == {phone}
            assert await shown("from=2026-06-16&to=2026-06-16") == {phone}
            assert await shown("status=approved") == set()
            status, html = await _get(http, f"{queue}?q={'x' * 5_000}")
            assert status == 400
            assert "search for at most 200 characters" in html


async def test_a_text_search_reads_a_bounded_number_of_answers_and_offers_to_go_further(
    database_url: str, tmp_path: Path, monkeypatch
):
    monkeypatch.setattr(review_queue, "SEARCH_WINDOW", 3)
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.ADMIN)
        others = [await site.pending(f"Le tram numéro {n}") for n in range(4)]
        found = await site.pending("Le vélo en ville")
        async with client() as http:
            await sign_in(http, site, "ana@region.fr")
            status, html = await _get(http, f"{site.url}/console/queue?q=v%C3%A9lo")
            assert status == 200
            assert "No answers here so far." in html
            assert f"The search read the answers up to number {others[2]}." in html
            further = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
            status, html = await _get(http, site.url + further.replace("&amp;", "&"))
            assert f'id="item-{found}"' in html
            assert "Search the next answers" not in html


async def test_a_free_text_answer_holding_a_phone_number_is_flagged_when_written(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        for text in ("bonjour", "oui", "train", "4", "45000"):
            await site.says("rest", "alice", text)
        await site.says("rest", "alice", "Rappelez-moi au 06 12 34 56 78")
        for text in ("bonjour", "oui", "bus", "3", "37000"):
            await site.says("rest", "bruno", text)
        await site.says("rest", "bruno", "Trop de retards")
        async with site.database.transaction() as s:
            items = await review_queue.page(s)
            unscanned = await review_queue.unscanned(s)
        assert {(item.text, item.personal_data) for item in items} == {
            ("Rappelez-moi au 06 12 34 56 78", True),
            ("Trop de retards", False),
        }
        assert unscanned == []  # nothing left for the queue page to scan


async def test_a_moderator_limited_to_a_consultation_sees_and_decides_only_it(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR, consultations=["mobilite"])
        mine = await site.pending("Plus de trains")
        other = await site.pending("La cantine est trop chère", consultation="lycees")
        async with client() as http:
            token = await sign_in(http, site, "ana@region.fr")
            _, html = await _get(http, f"{site.url}/console/queue")
            assert f'id="item-{mine}"' in html
            assert f'id="item-{other}"' not in html
            status, _ = await _get(http, f"{site.url}/console/answers/{other}")
            assert status == 403
            async with http.post(
                f"{site.url}/console/answers/{other}/approve", data={"csrf": token}
            ) as refused:
                assert refused.status == 403
        async with site.database.transaction() as s:
            assert (await answers.get(s, other)).moderation_status is ModerationStatus.PENDING


async def test_an_opened_answer_is_held_for_its_moderator(database_url: str, tmp_path: Path):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        await site.user("bob@region.fr", ConsoleRole.MODERATOR)
        answer_id = await site.pending("Il faut plus de bus")
        async with client() as ana, client() as bob:
            await sign_in(ana, site, "ana@region.fr")
            bob_token = await sign_in(bob, site, "bob@region.fr")
            _, mine = await _get(ana, f"{site.url}/console/answers/{answer_id}")
            assert "Held for you until" in mine
            _, theirs = await _get(bob, f"{site.url}/console/answers/{answer_id}")
            assert "Open with ana@region.fr" in theirs
            async with bob.post(
                f"{site.url}/console/answers/{answer_id}/reject",
                data={"csrf": bob_token, "reason": "spam"},
            ) as refused:
                assert refused.status == 409
                said = await refused.text()
            assert re.search(
                r"is open with ana@region.fr until \d{4}-\d\d-\d\d \d\d:\d\d UTC; nothing changed",
                said,
            ), said
        async with site.database.transaction() as s:
            assert (await answers.get(s, answer_id)).moderation_status is ModerationStatus.PENDING


async def test_an_answer_erased_by_the_resident_leaves_the_queue_at_once(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        answer_id = await site.pending("Mon adresse est 12 rue de la Paix")
        async with client() as http:
            token = await sign_in(http, site, "ana@region.fr")
            _, before = await _get(http, f"{site.url}/console/queue")
            assert f'id="item-{answer_id}"' in before
            async with site.database.transaction() as s:
                item = await review_queue.item(s, answer_id)
                assert item is not None
                assert item.participant_id is not None
                await erasure.delete_participant_data(
                    s,
                    item.participant_id,
                    now=dt.datetime.now(dt.UTC),
                    keep_anonymised_answers=False,
                )
            _, after = await _get(http, f"{site.url}/console/queue")
            assert f'id="item-{answer_id}"' not in after
            status, page = await _get(http, f"{site.url}/console/answers/{answer_id}")
            assert status == 410
            assert "erased by the resident" in page
            async with http.post(
                f"{site.url}/console/answers/{answer_id}/approve", data={"csrf": token}
            ) as late:
                assert late.status == 409
                assert "was erased by the resident; nothing changed" in await late.text()


async def test_transcripts_show_both_sides_and_no_platform_id(database_url: str, tmp_path: Path):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        answer_id = await site.pending("Le tram est trop cher")
        async with site.database.transaction() as s:
            session_id = (await answers.get(s, answer_id)).session_id
        async with client() as http:
            await sign_in(http, site, "ana@region.fr")
            status, page = await _get(http, f"{site.url}/console/transcripts/{session_id}")
            assert status == 200
            assert "Qu&#39;est-ce qui ne va pas ?" in page
            assert "Le tram est trop cher" in page
            assert "Buttons: " in page
            assert "Passer" in page
            assert "mobilite v" in page
            assert "participant P-" in page
            _, found = await _get(
                http, f"{site.url}/console/transcripts?consultation=mobilite&q=TRAM"
            )
            assert f"/console/transcripts/{session_id}" in found


async def test_the_audit_page_and_its_csv_are_for_admins_and_the_export_is_audited(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("root@region.fr", ConsoleRole.ADMIN)
        answer_id = await site.pending("Trop cher")
        async with client() as http:
            token = await sign_in(http, site, "root@region.fr")
            async with http.post(
                f"{site.url}/console/answers/{answer_id}/reject",
                data={"csrf": token, "reason": "off-topic", "note": "hors sujet"},
            ) as decided:
                assert decided.status == 200
            _, page = await _get(http, f"{site.url}/console/audit")
            assert f"answer:{answer_id}" in page
            assert "reason=off-topic" in page
            assert "Trop cher" not in page
            assert "hors sujet" not in page
            async with http.get(f"{site.url}/console/audit.csv?days=1") as csv:
                assert csv.headers["Content-Type"].startswith("text/csv")
                body = await csv.text()
            assert body.startswith("at,action,actor,subject,before,after,details,counts")
            assert f"answer.reject,root@region.fr,answer:{answer_id},pending,rejected" in body
            _, later = await _get(http, f"{site.url}/console/audit?action=audit.export")
            assert "audit.export" in later
            assert "records: " in later


async def test_an_emptied_redacted_text_is_refused_and_the_plain_approve_publishes_as_written(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        phone = await site.pending("Appelez-moi au 06 12 34 56 78")
        plain = await site.pending("Plus de trains le soir")
        async with client() as http:
            token = await sign_in(http, site, "ana@region.fr")
            form = {"csrf": token, "back": "/console/queue"}
            status, _, html = await post_form(
                http, site, f"/console/answers/{phone}/approve", {**form, "text": ""}
            )
            assert status == 400
            assert "Not approved" in html
            assert "the approved text is empty: reject the answer instead" in html
            status, _, html = await post_form(http, site, f"/console/answers/{plain}/approve", form)
            assert status == 200
            assert f"Answer {plain} approved." in html
        async with site.database.transaction() as s:
            assert (await answers.get(s, phone)).moderation_status is ModerationStatus.PENDING
            approved = await answers.get(s, plain)
            assert approved.moderation_status is ModerationStatus.APPROVED
            assert approved.redacted_text is None


async def test_a_redacted_answer_shows_its_published_text_beside_the_original(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        answer_id = await site.pending("Appelez-moi au 06 12 34 56 78 pour le bus")
        async with client() as http:
            token = await sign_in(http, site, "ana@region.fr")
            status, _, _ = await post_form(
                http,
                site,
                f"/console/answers/{answer_id}/approve",
                {"csrf": token, "back": "/console/queue", "text": "Rappel demandé pour le bus"},
            )
            assert status == 200
            for path in (f"/console/answers/{answer_id}", "/console/queue?status=approved"):
                _, html = await _get(http, f"{site.url}{path}")
                assert (
                    "Published text (redacted by ana@region.fr):</p>\n"
                    '  <blockquote class="answer published">Rappel demandé pour le bus</blockquote>'
                ) in html, path
                assert "As the resident wrote it (not published):" in html
