"""The pages a resident's browser loads, and the health checks."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.serving import running, settings_for

WIDGET_BUDGET_BYTES = 30 * 1024


@pytest.fixture
async def http(tmp_path: Path) -> AsyncIterator[tuple[str, aiohttp.ClientSession]]:
    async with (
        running(settings_for(tmp_path)) as (base, _app),
        aiohttp.ClientSession() as session,
    ):
        yield base, session


async def get(http, path: str) -> tuple[aiohttp.ClientResponse, str]:
    base, session = http
    async with session.get(base + path) as response:
        return response, await response.text()


def widget_script(html: str) -> dict[str, str]:
    tag = re.search(r'<script src="/widget.js"([^>]*)>', html)
    assert tag is not None
    return dict(re.findall(r'(data-[a-z]+)="([^"]*)"', tag[1]))


async def test_the_home_page_opens_the_default_consultation_in_french(http):
    response, html = await get(http, "/")
    assert response.status == 200
    assert response.content_type == "text/html"
    assert '<html lang="fr">' in html
    assert "<h1>Mobilité en Centre-Val de Loire</h1>" in html
    assert "<title>Mobilité en Centre-Val de Loire</title>" in html
    assert widget_script(html) == {
        "data-mode": "page",
        "data-target": "#consultbot",
        "data-consultation": "mobilite",
        "data-lang": "fr",
    }
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


async def test_lang_in_the_address_switches_the_page_to_english(http):
    _, html = await get(http, "/?lang=en")
    assert '<html lang="en">' in html
    assert "<h1>Mobility in Centre-Val de Loire</h1>" in html
    assert widget_script(html)["data-lang"] == "en"
    _, html = await get(http, "/?lang=xx")
    assert '<html lang="fr">' in html


async def test_a_consultation_has_its_own_address(http):
    response, html = await get(http, "/c/mobilite")
    assert response.status == 200
    assert widget_script(html)["data-consultation"] == "mobilite"


@pytest.mark.parametrize(
    "path", ["/c/no-such-consultation", "/c/Not%20an%20id", "/c/..%2f..", "/nothing-here"]
)
async def test_a_wrong_address_is_not_found(http, path):
    response, _ = await get(http, path)
    assert response.status == 404


async def test_the_widget_is_plain_files_within_budget(http):
    js, js_text = await get(http, "/widget.js")
    css, css_text = await get(http, "/widget.css")
    assert (js.status, css.status) == (200, 200)
    assert js.content_type == "text/javascript"
    assert css.content_type == "text/css"
    size = len(js_text.encode()) + len(css_text.encode())
    assert size < WIDGET_BUDGET_BYTES, f"widget.js + widget.css weigh {size} bytes"
    assert "import " not in js_text  # no module system, no build step


async def test_health_and_readiness(http):
    response, body = await get(http, "/healthz")
    assert (response.status, body) == (200, '{"status": "ok"}')
    response, body = await get(http, "/readyz")
    assert (response.status, body) == (200, '{"status": "ready"}')
