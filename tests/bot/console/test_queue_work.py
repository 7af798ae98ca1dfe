"""A moderator's day on the review queue over real HTTP: bulk decisions, and
keeping their place and filters from the queue to an answer and back."""

import html as markup
from pathlib import Path

from storage import answers
from storage.models import ConsoleRole, ModerationStatus
from tests.bot.console.site import client, console_site, sign_in


async def _get(http, url: str) -> tuple[int, str]:
    async with http.get(url, allow_redirects=False) as response:
        return response.status, await response.text()


async def _statuses(site, *answer_ids: int) -> list[ModerationStatus]:
    async with site.database.transaction() as s:
        return [(await answers.get(s, i)).moderation_status for i in answer_ids]


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
            form = {"csrf": token, "back": "/console/queue", "action": "approve"}
            async with http.post(
                f"{site.url}/console/queue/bulk",
                data=[*form.items(), ("ids", str(fine)), ("ids", str(phone)), ("ids", str(mail))],
                headers={"Origin": site.url},
            ) as response:
                status, page = response.status, markup.unescape(await response.text())
        assert status == 409
        assert "1 answers approved" in page
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
