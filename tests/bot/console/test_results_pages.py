"""The results pages over real HTTP: who may see them, what they show of a
database filled by scripted residents, filters, CSV exports."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import select

from bot.app import CONVERSATIONS
from bot.client import Client
from storage import audit, moderation
from storage.models import AnswerRow, ConsoleRole
from tests.bot.console.results_residents import START, Ticking, approve_train_texts, fill
from tests.bot.console.site import client, console_site, sign_in


async def test_an_organizer_reads_the_results_and_exports_them(database_url: str, tmp_path: Path):
    async with console_site(database_url, tmp_path) as site:
        await fill(site.app[CONVERSATIONS])
        await approve_train_texts(site.database)
        await site.user("olga@region.fr", ConsoleRole.ORGANIZER)
        async with client() as http:
            await sign_in(http, site, "olga@region.fr")
            async with http.get(f"{site.url}/console/results") as listing:
                assert 'href="/console/results/mobilite"' in await listing.text()
            async with http.get(f"{site.url}/console/results/mobilite") as response:
                html = await response.text()
            assert response.status == 200
            assert "Mobilité en Centre-Val de Loire" in html
            assert "<dd>19</dd>" in html  # residents who consented
            # Who opened it: the 19, and the 2 who refused.
            assert "<dt>Residents who opened it</dt><dd>21</dd>" in html
            assert "Most residents who leave do so at question <strong>2. satisfaction" in html
            # Each chart has its table (the commune list has a table only).
            assert html.count("<svg") == html.count("<table>") - 1
            assert html.count("<svg") >= 6
            assert "Plus de trains le soir entre Orléans et Tours" in html  # approved
            assert "Moins de bouchons" not in html  # pending: not shown

            async with http.get(
                f"{site.url}/console/results/mobilite/q-mode.csv?source=gare-tours"
            ) as export:
                assert export.status == 200
                assert export.content_type == "text/csv"
                rows = list(csv.reader(io.StringIO(await export.text())))
            assert rows[0] == ["Choice", "Residents", "Share"]
            assert ["Train", "7", "100.0 %"] in rows
            async with site.database.transaction() as s:
                (exported,) = await audit.recent(s, action="results.export", limit=5)
            assert (exported.actor, exported.subject) == ("olga@region.fr", "consultation:mobilite")
            async with http.get(f"{site.url}/console/results/mobilite?source=gare-tours") as tag:
                assert "<dt>Residents who opened it</dt><dd>7</dd>" in await tag.text()

            async with http.get(f"{site.url}/console/results/mobilite?language=en") as empty:
                assert "No resident matches these filters." in await empty.text()
            async with http.get(f"{site.url}/console/results/mobilite?since=2026-11-04") as few:
                text = await few.text()
            assert "Fewer than 5 residents match these filters" in text
            assert "<dd>fewer than 5</dd>" in text
            async with http.get(f"{site.url}/console/results/mobilite?version=1") as first:
                assert "<dd>19</dd>" in await first.text()
            async with http.get(f"{site.url}/console/results/mobilite?version=9") as unknown:
                assert unknown.status == 400
                assert "there is no version 9" in await unknown.text()
            async with http.get(f"{site.url}/console/results/mobilite?since=4/11") as bad:
                assert bad.status == 400
                assert "write it YYYY-MM-DD" in await bad.text()


async def test_moderators_and_organizers_of_other_consultations_are_refused(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("mo@region.fr", ConsoleRole.MODERATOR)
        await site.user("lea@region.fr", ConsoleRole.ORGANIZER, consultations=["lycees"])
        async with client() as http:
            await sign_in(http, site, "mo@region.fr")
            for path in ("/console/results", "/console/results/mobilite"):
                async with http.get(site.url + path) as refused:
                    assert refused.status == 403
        async with client() as http:
            await sign_in(http, site, "lea@region.fr")
            async with http.get(f"{site.url}/console/results") as listing:
                text = await listing.text()
            assert "/console/results/lycees" in text
            assert "/console/results/mobilite" not in text
            for path in ("/console/results/mobilite", "/console/results/mobilite/progress.csv"):
                async with http.get(site.url + path) as refused:
                    assert refused.status == 403


async def test_a_figure_hidden_to_protect_a_small_one_reads_hidden_not_fewer_than_5(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        residents = Client(site.app[CONVERSATIONS], now=Ticking(START))
        for i in range(8):
            await residents.converse(
                f"train{i}", "bonjour", "oui", "train", "4", "45000", f"Plus de trains {i}"
            )
        for i in range(2):  # still in progress: fewer than 5
            await residents.converse(f"bus{i}", "bonjour", "oui", "bus")
        async with site.database.transaction() as s:
            proposals = (
                await s.scalars(select(AnswerRow.id).where(AnswerRow.question_id == "proposal"))
            ).all()
            for answer_id in sorted(proposals)[:6]:  # 6 approved, 2 left pending
                await moderation.approve(s, answer_id, by="mo@region.fr", now=START)
        await site.user("olga@region.fr", ConsoleRole.ORGANIZER)
        async with client() as http:
            await sign_in(http, site, "olga@region.fr")
            async with http.get(f"{site.url}/console/results/mobilite") as response:
                html = await response.text()
            async with http.get(f"{site.url}/console/results/mobilite/progress.csv") as export:
                progress = list(csv.reader(io.StringIO(await export.text())))
            async with http.get(f"{site.url}/console/results/mobilite/q-proposal.csv") as export:
                proposal = list(csv.reader(io.StringIO(await export.text())))
        # 8 completed: hidden so that the 2 in progress cannot be worked out
        # from the 10 residents, and said so; never "fewer than 5".
        assert "<dt>Completed</dt><dd>hidden</dd>" in html
        assert "<dt>Completion rate</dt><dd>hidden</dd>" in html
        assert "<dt>Median time to complete</dt><dd>2 min 00 s</dd>" in html
        assert "the next smallest reads “hidden”: it may be of any size" in html
        assert ["Completed", "hidden", "hidden"] in progress
        assert ["In progress", "fewer than 5", "fewer than 5"] in progress
        assert ["Approved", "hidden", "hidden"] in proposal
        assert ["Pending", "fewer than 5", "fewer than 5"] in proposal
