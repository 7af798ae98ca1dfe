"""The audit log as an admin reads it over real HTTP: narrowed to what one
moderator did."""

import re
from pathlib import Path

from storage.models import ConsoleRole
from tests.bot.console.site import client, console_site, post_form, sign_in

SUBJECT = re.compile(r"<td>(answer:\d+)</td>")


async def _decides(site, email: str, answer_id: int, decision: str) -> None:
    async with client() as http:
        token = await sign_in(http, site, email)
        form = {"csrf": token, "reason": "spam"}
        status, _, _ = await post_form(http, site, f"/console/answers/{answer_id}/{decision}", form)
        assert status == 200


async def test_the_audit_log_shows_one_moderators_decisions_when_asked(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("root@region.fr", ConsoleRole.ADMIN)
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        await site.user("ben@region.fr", ConsoleRole.MODERATOR)
        by_ana = [await site.pending(f"Plus de bus {n}") for n in range(2)]
        by_ben = await site.pending("Achetez des montres")
        for answer_id in by_ana:
            await _decides(site, "ana@region.fr", answer_id, "approve")
        await _decides(site, "ben@region.fr", by_ben, "reject")
        async with client() as http:
            await sign_in(http, site, "root@region.fr")

            async def subjects(actor: str) -> list[str]:
                async with http.get(f"{site.url}/console/audit", params={"actor": actor}) as page:
                    assert page.status == 200
                    html = await page.text()
                assert f'name="actor" value="{actor.strip()}"' in html  # stays filled in
                return SUBJECT.findall(html)

            assert await subjects("ana@region.fr") == [f"answer:{i}" for i in reversed(by_ana)]
            assert await subjects(" ben@region.fr") == [f"answer:{by_ben}"]
            async with http.get(f"{site.url}/console/audit?actor=nobody@region.fr") as page:
                assert "No record by nobody@region.fr." in await page.text()
