"""Behind a reverse proxy: the client's address comes from X-Forwarded-For,
believed only from a trusted proxy. What a moderator sees: the sign-in throttle
counts wrong passwords per person behind nginx, not for everyone at once; a
header written by a client itself changes nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import Settings
from bot.console.accounts import MAX_FAILURES_PER_ADDRESS
from bot.web.proxies import client_address, networks
from storage.models import ConsoleRole
from tests.bot.console.site import PASSWORD, Site, client, console_site, csrf_of


async def _sign_in(site: Site, email: str, password: str, forwarded_for: str) -> int:
    """Status of a sign-in through the form, the request carrying X-Forwarded-For."""
    headers = {"X-Forwarded-For": forwarded_for}
    async with client() as http:
        async with http.get(f"{site.url}/console/login", headers=headers) as page:
            token = csrf_of(await page.text())
        async with http.post(
            f"{site.url}/console/login",
            data={"csrf": token, "email": email, "password": password},
            headers={**headers, "Origin": site.url},
        ) as response:
            return response.status


async def _fail_many(site: Site, forwarded_for: str) -> None:
    for n in range(MAX_FAILURES_PER_ADDRESS):  # other accounts: the address is what counts
        assert await _sign_in(site, f"nobody{n}@region.fr", "wrong", forwarded_for) == 401


async def test_behind_a_trusted_proxy_failures_count_per_client(database_url: str, tmp_path: Path):
    trusted = {"trusted_proxies": ["127.0.0.1"]}
    async with console_site(database_url, tmp_path, server=trusted) as site:
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        await _fail_many(site, "203.0.113.5")
        # The one who failed is throttled, even with the right password ...
        assert await _sign_in(site, "ana@region.fr", PASSWORD, "203.0.113.5") == 401
        # ... the moderator next door, behind the same proxy, is not.
        assert await _sign_in(site, "ana@region.fr", PASSWORD, "203.0.113.6") == 200


async def test_a_forwarded_for_from_anyone_else_is_not_believed(database_url: str, tmp_path: Path):
    async with console_site(database_url, tmp_path) as site:  # no trusted proxy
        await site.user("ana@region.fr", ConsoleRole.MODERATOR)
        await _fail_many(site, "203.0.113.5")
        # The header was the client's own: every failure counted for its real address.
        assert await _sign_in(site, "ana@region.fr", PASSWORD, "203.0.113.6") == 401


@pytest.mark.parametrize(
    ("header", "client"),
    [
        (["203.0.113.5"], "203.0.113.5"),
        (["198.51.100.7, 203.0.113.5"], "203.0.113.5"),  # a client's own first entry: ignored
        (["203.0.113.5, 10.0.0.2"], "203.0.113.5"),  # through two proxies of ours
        (["203.0.113.5", "10.0.0.2"], "203.0.113.5"),  # the header given twice
        (["2001:db8::1"], "2001:db8::1"),
        (["10.0.0.3"], "10.0.0.3"),  # only proxies: the first
        (["not-an-address"], None),
        ([], None),
    ],
)
def test_the_client_is_the_last_address_that_is_no_proxy_of_ours(header, client):
    assert client_address(header, networks(["10.0.0.0/8", "127.0.0.1"])) == client


def test_a_trusted_proxy_that_is_no_address_is_refused_with_an_example():
    with pytest.raises(ValueError, match=re.escape("e.g. 127.0.0.1 or 10.0.0.0/8")):
        Settings.model_validate({"server": {"trusted_proxies": ["nginx"]}})
