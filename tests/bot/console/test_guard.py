"""Every console route, as the router lists them, refuses the anonymous and
the wrong role; forms need their token and must come from the console."""

import datetime as dt
import re
from pathlib import Path

import aiohttp
import pyotp
import pytest
from sqlalchemy import select, update

from bot.app import CONSOLE
from bot.console.guard import STATE
from storage import answers
from storage.models import ConsoleRole, ConsoleSessionRow
from tests.bot.console.site import PASSWORD, client, console_site, csrf_of, sign_in
from tests.conftest import admin_connection, set_database_setting, set_read_only

PUBLIC = {"/console/static/{name}", "/console/login", "/console/welcome/{token}"}
SAMPLE = {
    "answer": "1",
    "session": "1",
    "token": "nope",
    "name": "console.css",
    "consultation": "mobilite",
    "table": "progress",
    "saved": "1",
    "follow_up": "1",
}


def _routes(app):
    console = app[CONSOLE]
    declared = console[STATE].access
    for route in console.router.routes():
        info = route.resource.get_info()
        template = info.get("path") or info.get("formatter")
        url = re.sub(r"\{(\w+)\}", lambda m: SAMPLE[m.group(1)], template)
        yield route.method, template, url, declared.get(route)


async def test_every_route_declares_its_access_and_only_sign_in_pages_are_public(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        routes = list(_routes(site.app))
    assert len(routes) >= 20
    assert all(access is not None for *_, access in routes)
    assert {template for _, template, _, access in routes if access.public} == PUBLIC


async def test_anonymous_visitors_are_sent_to_sign_in_and_wrong_roles_get_403(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("mod@region.fr", ConsoleRole.MODERATOR)
        await site.user("org@region.fr", ConsoleRole.ORGANIZER)
        checked = 0
        async with client() as anonymous:
            for method, _template, url, access in _routes(site.app):
                if access.public:
                    continue
                async with anonymous.request(
                    method, site.url + url, allow_redirects=False, data={}
                ) as response:
                    assert response.status == 303, (method, url)
                    assert response.headers["Location"].startswith("/console/login"), url
                    checked += 1
        for email, role in (("mod@region.fr", "moderator"), ("org@region.fr", "organizer")):
            async with client() as http:
                token = await sign_in(http, site, email)
                for method, _template, url, access in _routes(site.app):
                    if access.public or ConsoleRole(role) in access.roles:
                        continue
                    async with http.request(
                        method,
                        site.url + url,
                        allow_redirects=False,
                        data={"csrf": token},
                        headers={"Origin": site.url},
                    ) as response:
                        assert response.status == 403, (role, method, url)
                        checked += 1
    assert checked > 20


async def test_a_form_without_its_token_or_from_another_site_is_refused(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("mod@region.fr", ConsoleRole.MODERATOR)
        answer_id = await site.pending("Trop cher")
        async with client() as http:
            token = await sign_in(http, site, "mod@region.fr")
            approve = f"{site.url}/console/answers/{answer_id}/approve"
            async with http.post(approve, data={}, allow_redirects=False) as missing:
                assert missing.status == 403
                assert "the form had expired" in await missing.text()
            async with http.post(
                approve, data={"csrf": token}, headers={"Origin": "https://evil.example"}
            ) as foreign:
                assert foreign.status == 403
            async with http.post(
                approve, data={"csrf": token}, headers={"Sec-Fetch-Site": "cross-site"}
            ) as cross:
                assert cross.status == 403
            async with http.get(f"{site.url}/console/answers/{answer_id}") as page:
                assert "Status: pending" in await page.text()
            async with http.post(
                approve, data={"csrf": token, "back": "/console/queue"}, allow_redirects=False
            ) as ok:
                assert ok.status == 303


async def test_a_login_form_without_its_token_is_refused(database_url: str, tmp_path: Path):
    async with console_site(database_url, tmp_path) as site:
        await site.user("mod@region.fr", ConsoleRole.MODERATOR)
        async with (
            client() as http,
            http.post(
                f"{site.url}/console/login", data={"email": "mod@region.fr", "password": PASSWORD}
            ) as response,
        ):
            assert response.status == 403
            assert "Sign out" not in await response.text()


async def test_a_cookie_from_before_logging_out_everywhere_is_refused(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("mod@region.fr", ConsoleRole.MODERATOR)
        async with client() as first, client() as second:
            await sign_in(first, site, "mod@region.fr")
            token = await sign_in(second, site, "mod@region.fr")
            old_cookies = {c.key: c.value for c in first.cookie_jar}
            async with second.post(
                f"{site.url}/console/logout-everywhere",
                data={"csrf": token},
                allow_redirects=False,
            ) as out:
                assert out.status == 303
            async with (
                aiohttp.ClientSession(cookies=old_cookies) as replay,
                replay.get(f"{site.url}/console/queue", allow_redirects=False) as refused,
            ):
                assert refused.status == 303
                assert refused.headers["Location"].startswith("/console/login")


async def test_the_session_cookie_is_http_only_and_strict(database_url: str, tmp_path: Path):
    async with console_site(database_url, tmp_path) as site:
        await site.user("mod@region.fr", ConsoleRole.MODERATOR)
        async with client() as http:
            async with http.get(f"{site.url}/console/login") as page:
                token = csrf_of(await page.text())
            async with http.post(
                f"{site.url}/console/login",
                data={"csrf": token, "email": "mod@region.fr", "password": PASSWORD},
                allow_redirects=False,
            ) as response:
                cookie = response.cookies["consultbot_console"]
        assert cookie["httponly"]
        assert cookie["samesite"] == "Strict"
        assert cookie["path"] == "/console/"


async def test_a_session_owing_its_code_cannot_skip_it_by_setting_up_a_new_one(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        email = await site.user("root@region.fr", ConsoleRole.ADMIN)
        cookie, _ = await site.accounts.sign_in(email, PASSWORD, "10.0.0.1")
        viewer = await site.accounts.viewer(cookie)
        assert viewer is not None
        secret = pyotp.random_base32()
        await site.accounts.enrol(viewer, secret, pyotp.TOTP(secret).now())
        async with client() as http:
            async with http.get(f"{site.url}/console/login") as page:
                token = csrf_of(await page.text())
            async with http.post(
                f"{site.url}/console/login",
                data={"csrf": token, "email": email, "password": PASSWORD},
            ) as owing:
                assert owing.url.path == "/console/login/code"
                token = csrf_of(await owing.text())
            other = pyotp.random_base32()
            async with http.post(
                f"{site.url}/console/2fa",
                data={"csrf": token, "secret": other, "code": pyotp.TOTP(other).now()},
                allow_redirects=False,
            ) as skipped:
                assert skipped.status == 303
                assert skipped.headers["Location"] == "/console/login/code"
            async with http.get(f"{site.url}/console/queue", allow_redirects=False) as still:
                assert still.headers["Location"] == "/console/login/code"
            async with http.post(
                f"{site.url}/console/login/code",
                data={"csrf": token, "code": pyotp.TOTP(secret).now()},
            ) as passed:
                assert passed.url.path == "/console/"


async def _seen(site, ago: dt.timedelta | None = None) -> list[dt.datetime]:
    """When the console sessions were last used; moved back by `ago` first."""
    async with site.database.transaction() as s:
        if ago is not None:
            await s.execute(
                update(ConsoleSessionRow).values(last_seen_at=dt.datetime.now(dt.UTC) - ago)
            )
        return list((await s.execute(select(ConsoleSessionRow.last_seen_at))).scalars())


async def test_pages_that_only_read_keep_a_used_session_alive_and_end_an_idle_one(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        email = await site.user("mod@region.fr", ConsoleRole.MODERATOR)
        async with client() as http:
            await sign_in(http, site, email)
            for page in ("/console/queue", "/console/inbox"):
                await _seen(site, dt.timedelta(minutes=5))
                async with http.get(site.url + page, allow_redirects=False) as response:
                    assert response.status == 200
                (seen,) = await _seen(site)
                assert dt.datetime.now(dt.UTC) - seen < dt.timedelta(minutes=1)
            await _seen(site, dt.timedelta(hours=13))  # idle longer than 12 hours
            async with http.get(site.url + "/console/queue", allow_redirects=False) as response:
                assert response.status == 303
                assert response.headers["Location"].startswith("/console/login")
            assert await _seen(site) == []


async def test_a_form_the_database_cannot_take_says_nothing_changed_and_logs_one_line(
    database_url: str, tmp_path: Path, caplog
):
    if not database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL database set read-only, as a standby is")
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        answer_id = await site.pending("Le tram est trop cher")
        approve = f"{site.url}/console/answers/{answer_id}/approve"
        async with client() as http:
            token = await sign_in(http, site, "ana@region.fr")
            await set_read_only(database_url, True)
            try:
                async with http.get(site.url + "/console/queue") as queue:
                    assert queue.status == 200  # reading needs no writes
                async with http.post(
                    approve, data={"csrf": token}, headers={"Origin": site.url}
                ) as refused:
                    assert refused.status == 503
                    page = await refused.text()
            finally:
                await set_read_only(database_url, False)
            assert "nothing was changed" in page
            assert "Try again in a minute" in page
            async with site.database.read() as s:
                assert (await answers.get(s, answer_id)).moderation_status == "pending"
            logged = [r for r in caplog.records if r.name == "bot.console.guard"]
            assert [r.levelname for r in logged] == ["ERROR"]
            assert "takes no writes" in logged[0].getMessage()
            assert logged[0].exc_info is None
            assert not [r for r in caplog.records if r.name == "aiohttp.server"]
            async with http.post(approve, data={"csrf": token}, headers={"Origin": site.url}):
                pass
            async with site.database.read() as s:
                assert (await answers.get(s, answer_id)).moderation_status == "approved"


async def test_a_form_that_waits_past_the_lock_timeout_says_nothing_changed(
    database_url: str, tmp_path: Path, caplog
):
    """A job holds the answer's row longer than the database's lock_timeout: the
    moderator's approval is refused with the console's page, not a bare 500."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's lock_timeout")
    async with console_site(database_url, tmp_path) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        answer_id = await site.pending("Le tram est trop cher")
        async with client() as http:
            token = await sign_in(http, site, "ana@region.fr")
            await set_database_setting(database_url, "lock_timeout", "300ms")
            holder = await admin_connection(database_url)
            try:
                await holder.execute("BEGIN; SELECT id FROM answers FOR UPDATE")
                async with http.post(
                    f"{site.url}/console/answers/{answer_id}/approve",
                    data={"csrf": token},
                    headers={"Origin": site.url},
                ) as refused:
                    assert refused.status == 503
                    assert "nothing was changed" in await refused.text()
            finally:
                await holder.close()
                await set_database_setting(database_url, "lock_timeout", None)
            async with site.database.read() as s:
                assert (await answers.get(s, answer_id)).moderation_status == "pending"
            logged = [r for r in caplog.records if r.name == "bot.console.guard"]
            assert len(logged) == 1
            assert "lock_timeout" in logged[0].getMessage()


async def test_a_handler_s_refusal_is_a_console_page_with_its_status_and_words(
    database_url: str, tmp_path: Path
):
    async with console_site(database_url, tmp_path) as site:
        await site.user("mod@region.fr", ConsoleRole.MODERATOR, consultations=["lycees"])
        await site.user("olga@region.fr", ConsoleRole.ORGANIZER)
        theirs = await site.pending("Plus de trains")  # in mobilite

        async def refused(http, method: str, path: str, status: int, words: str, **kw) -> None:
            async with http.request(method, site.url + path, allow_redirects=False, **kw) as r:
                html = await r.text()
                assert r.status == status, (path, html)
                assert r.content_type == "text/html", path
            assert f'<p class="error" role="alert">{words}</p>' in html, (path, html)
            assert '<a href="/console/">Back to the console</a>' in html, path
            assert "Sign out" in html, path  # the console's layout, signed in

        async with client() as http:
            token = await sign_in(http, site, "mod@region.fr")
            form = {"data": {"csrf": token}, "headers": {"Origin": site.url}}
            for path in ("/console/answers/99999", "/console/transcripts/99999"):
                await refused(http, "GET", path, 404, "There is no such page.")
            await refused(
                http,
                "POST",
                "/console/answers/99999/approve",
                404,
                "There is no such page.",
                **form,
            )
            await refused(
                http,
                "GET",
                f"/console/answers/{theirs}",
                403,
                "This answer belongs to a consultation you do not moderate.",
            )
            await refused(
                http, "GET", "/console/queue?from=2026-13-45", 400, "Dates are written YYYY-MM-DD."
            )
        async with client() as http:
            await sign_in(http, site, "olga@region.fr")
            for path in ("/console/results/nosuch", "/console/results/mobilite/nonexistent.csv"):
                await refused(http, "GET", path, 404, "There is no such page.")


async def test_a_form_too_large_names_the_limit_it_went_past(database_url: str, tmp_path: Path):
    async with console_site(database_url, tmp_path) as site:
        await site.user("mod@region.fr", ConsoleRole.MODERATOR)
        answer_id = await site.pending("Appelez-moi au 06 12 34 56 78")
        async with client() as http:
            token = await sign_in(http, site, "mod@region.fr")
            async with http.post(
                f"{site.url}/console/answers/{answer_id}/approve",
                data={"csrf": token, "text": "x" * 100_000},
                headers={"Origin": site.url},
            ) as response:
                assert response.status == 413
                html = await response.text()
        assert "Refused: the form is too large (at most 64 KB)." in html
        assert "flow" not in html
        async with site.database.transaction() as s:
            assert (await answers.get(s, answer_id)).redacted_text is None
