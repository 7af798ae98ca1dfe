"""A moderator's day on the review queue over real HTTP: bulk decisions, and
keeping their place and filters from the queue to an answer and back."""

import html as markup
import re
from pathlib import Path

from storage import answers, review_queue
from storage.models import ConsoleRole, ModerationStatus
from tests.bot.console.site import client, console_site, post_form, sign_in


async def _get(http, url: str) -> tuple[int, str]:
    async with http.get(url, allow_redirects=False) as response:
        return response.status, await response.text()


async def _statuses(site, *answer_ids: int) -> list[ModerationStatus]:
    async with site.database.transaction() as s:
        return [(await answers.get(s, i)).moderation_status for i in answer_ids]


async def _bulk_approve(
    http, site, token: str, *answer_ids: int, action: str = "approve"
) -> tuple[int, str]:
    """Approve (or reject as spam) answers in bulk from the queue: the status
    and the page landed on, unescaped."""
    form = [("csrf", token), ("back", "/console/queue"), ("action", action), ("reason", "spam")]
    async with http.post(
        f"{site.url}/console/queue/bulk",
        data=[*form, *(("ids", str(i)) for i in answer_ids)],
        headers={"Origin": site.url},
    ) as response:
        return response.status, markup.unescape(await response.text())


async def test_a_bulk_approval_leaves_answers_holding_personal_data_pending_and_names_them(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        fine = await site.pending("Plus de trains le soir")
        phone = await site.pending("Le bus 12, appelez-moi au 06 12 34 56 78")
        mail = await site.pending("Écrivez-moi : jean.dupont@gmail.com")
        async with client() as http:
            token = await sign_in(http, site, "ana@region.fr")
            status, page = await _bulk_approve(http, site, token, fine, phone, mail)
        assert status == 409
        assert "<title>1 answer approved" in page
        assert "answers approved" not in page
        assert (
            f"answer {phone} holds personal data (phone): approve it redacted on its own; "
            "it stays pending"
        ) in page
        assert f"answer {mail} holds personal data (email)" in page
        assert await _statuses(site, fine, phone, mail) == [
            ModerationStatus.APPROVED,
            ModerationStatus.PENDING,
            ModerationStatus.PENDING,
        ]


def _attribute(page: str, pattern: str) -> str:
    found = re.search(pattern, page)
    assert found is not None, pattern
    return markup.unescape(found.group(1))


async def test_an_answer_opened_from_a_filtered_queue_returns_to_that_queue_once_decided(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        first = await site.pending("Le bus de 7 h est plein", channel="telegram")
        web = await site.pending("Plus de trains le soir", channel="webchat")
        second = await site.pending("Le car scolaire passe trop tôt", channel="telegram")
        async with client() as http:
            await sign_in(http, site, "ana@region.fr")
            filtered = "/console/queue?channel=telegram"
            _, queue = await _get(http, site.url + filtered)
            opened = _attribute(queue, rf'href="([^"]*/answers/{first}\b[^"]*)"')
            status, page = await _get(http, site.url + opened)
            assert status == 200
            assert _attribute(page, r'<a href="([^"]+)">Back to the queue</a>') == filtered
            form = {
                "csrf": _attribute(page, r'name="csrf" value="([^"]+)"'),
                "back": _attribute(page, r'name="back" value="([^"]+)"'),
            }
            status, landed, after = await post_form(
                http, site, f"/console/answers/{first}/approve", form
            )
        assert status == 200
        assert landed == "/console/queue"
        assert f"Answer {first} approved." in after
        assert f'id="item-{second}"' in after
        assert f'id="item-{web}"' not in after  # still only Telegram's answers
        assert _attribute(after, r'name="back" value="([^"]+)"') == filtered  # said once


async def test_the_queue_says_how_many_answers_its_filters_keep_over_all_pages(
    database_url: str, tmp_path: Path, monkeypatch
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        telegram = [
            await site.pending(f"Le bus {n} est en retard", channel="telegram") for n in range(3)
        ]
        await site.pending("Plus de trains le soir", channel="webchat")
        async with client() as http:
            token = await sign_in(http, site, "ana@region.fr")
            form = {"csrf": token, "back": "/console/queue?channel=telegram"}
            _, _, page = await post_form(
                http, site, f"/console/answers/{telegram[0]}/approve", form
            )
            assert "2 pending answers match these filters." in page
            _, page = await _get(http, f"{site.url}/console/queue")
            assert "3 pending answers match these filters." in page
            _, page = await _get(http, f"{site.url}/console/queue?status=approved")
            assert "1 approved answer matches these filters." in page
            monkeypatch.setattr(review_queue, "COUNTED", 2)
            _, page = await _get(http, f"{site.url}/console/queue")
            assert "More than 2 pending answers match these filters." in page
            _, page = await _get(http, f"{site.url}/console/queue?q=bus")
            assert "match these filters" not in page  # a search reads a window at a time


async def test_a_name_is_highlighted_its_redaction_suggested_and_bulk_approval_leaves_it(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        named = await site.pending("Je suis Marie Lefèvre, le bus 12 ne passe plus")
        signed = await site.pending("Plus de trains. Cordialement, Paul Girard")
        fine = await site.pending("Plus de trains entre Saint-Jean-de-Braye et Orléans")
        async with client() as http:
            token = await sign_in(http, site, "ana@region.fr")
            _, page = await _get(http, f"{site.url}/console/queue?pd=1")
            page = markup.unescape(page)
            assert (
                '<mark title="name">Marie Lefèvre<span class="sr-only"> '
                "(personal data: name)</span></mark>"
            ) in page
            assert ">Je suis [nom], le bus 12 ne passe plus</textarea>" in page
            assert ">Plus de trains. Cordialement, [nom]</textarea>" in page
            assert f'id="item-{fine}"' not in page  # "contains personal data" keeps names only
            _, page = await _bulk_approve(http, site, token, named, fine)
        assert f"answer {named} holds personal data (name)" in page
        assert await _statuses(site, named, signed, fine) == [
            ModerationStatus.PENDING,
            ModerationStatus.PENDING,
            ModerationStatus.APPROVED,
        ]


async def test_a_bulk_decision_says_answer_for_one_and_answers_for_more(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        one = await site.pending("Plus de trains le soir")
        spam = [await site.pending(f"Achetez des montres {n}") for n in range(2)]
        async with client() as http:
            token = await sign_in(http, site, "ana@region.fr")
            _, approved = await _bulk_approve(http, site, token, one)
            _, rejected = await _bulk_approve(http, site, token, *spam, action="reject")
        assert '<div role="status" class="notice">1 answer approved.</div>' in approved
        assert '<div role="status" class="notice">2 answers rejected.</div>' in rejected
