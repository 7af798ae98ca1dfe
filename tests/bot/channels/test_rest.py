"""The Rasa-compatible REST channel, over real HTTP on loopback."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text as text_sql

from bot.app import CONVERSATIONS
from tests.serving import DEMO, running, settings_for

WEBHOOK = "/webhooks/rest/webhook"


@pytest.fixture
async def http(
    tmp_path: Path, database_url: str
) -> AsyncIterator[tuple[str, aiohttp.ClientSession]]:
    """The server on SQLite, and on PostgreSQL when one is configured."""
    async with (
        running(settings_for(database_url)) as (base, _app),
        aiohttp.ClientSession() as session,
    ):
        yield base, session


async def post(http: tuple[str, aiohttp.ClientSession], body: Any) -> tuple[int, Any]:
    base, session = http
    kwargs = {"data": body} if isinstance(body, str | bytes) else {"json": body}
    async with session.post(base + WEBHOOK, **kwargs) as response:
        assert response.content_type == "application/json"
        return response.status, await response.json()


async def test_status_answers_ok(http):
    base, session = http
    async with session.get(base + "/webhooks/rest/") as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok"}


async def test_a_resident_completes_the_demo_consultation(http):
    answers = []
    for text in DEMO:
        status, body = await post(http, {"sender": "resident-1", "message": text})
        assert status == 200
        answers.append(body)
    assert all(item["recipient_id"] == "resident-1" for body in answers for item in body)
    consent = answers[0][-1]
    assert {"title": "Oui", "payload": consent["buttons"][0]["payload"]} in consent["buttons"]
    modes = answers[2 - 1][-1]["buttons"]
    assert [b["title"] for b in modes] == ["Voiture", "Train", "Bus", "Vélo", "À pied"]
    assert answers[-1][-1]["text"].startswith("Merci")
    assert "buttons" not in answers[-1][-1]


async def test_replies_follow_the_language_given_in_metadata(http):
    status, body = await post(
        http, {"sender": "r-en", "message": "hello", "metadata": {"language": "en"}}
    )
    assert status == 200
    assert body[0]["text"].startswith("Hello")


async def test_residents_do_not_share_a_conversation(http):
    await post(http, {"sender": "a", "message": "bonjour"})
    await post(http, {"sender": "a", "message": "oui"})
    _, first_of_b = await post(http, {"sender": "b", "message": "bonjour"})
    assert first_of_b[0]["text"].startswith("Bonjour")


async def test_the_same_message_id_sent_twice_is_handled_once(http):
    await post(http, {"sender": "r", "message": "bonjour", "message_id": "1"})
    _, first = await post(http, {"sender": "r", "message": "oui", "message_id": "2"})
    _, again = await post(http, {"sender": "r", "message": "oui", "message_id": "2"})
    assert again == first
    _, next_question = await post(http, {"sender": "r", "message": "train", "message_id": "3"})
    assert "1 à 5" in next_question[-1]["text"]


@pytest.mark.parametrize(
    ("body", "status", "error", "says"),
    [
        ("{not json", 400, "bad_json", "JSON"),
        ("[1, 2]", 400, "bad_request", "object"),
        ({"message": "bonjour"}, 400, "bad_request", "sender"),
        ({"sender": "x"}, 400, "bad_request", "message"),
        ({"sender": "x", "message": 5}, 400, "bad_request", "message"),
        ({"sender": ["x"], "message": "bonjour"}, 400, "bad_request", "sender"),
        ({"sender": "x", "message": "bonjour", "metadata": "fr"}, 400, "bad_request", "metadata"),
        ({"sender": "x", "message": "bonjour", "extra": 1}, 400, "bad_request", "extra"),
        ({"sender": "x", "message": "a" * 5000}, 400, "bad_request", "message"),
        ({"sender": "x", "message": "b" * 20000}, 413, "too_large", "bytes"),
    ],
)
async def test_bad_requests_get_a_clear_error_and_change_nothing(http, body, status, error, says):
    got_status, got = await post(http, body)
    assert (got_status, got["error"]) == (status, error)
    assert says in got["message"]
    # Nothing was stored: "x" is still a new resident who gets the introduction.
    _, first = await post(http, {"sender": "x", "message": "bonjour"})
    assert first[0]["text"].startswith("Bonjour")


async def test_a_wrong_method_or_path_is_refused(http):
    base, session = http
    async with session.get(base + WEBHOOK) as response:
        assert response.status == 405
    async with session.post(base + "/webhooks/rest/nope", json={}) as response:
        assert response.status == 404


async def test_a_server_that_cannot_answer_says_so_in_json(tmp_path):
    settings = settings_for(tmp_path, default_consultation="not_deployed")
    async with running(settings) as (base, _app), aiohttp.ClientSession() as session:
        body = {"sender": "r", "message": "bonjour"}
        async with session.post(base + WEBHOOK, json=body) as response:
            assert response.status == 500
            assert (await response.json())["error"] == "server_error"


async def test_a_body_sent_in_chunks_is_read_whole(http):
    async def chunks():
        yield b'{"sender": "chunked", '
        yield b'"message": "bonjour"}'

    base, session = http
    async with session.post(base + WEBHOOK, data=chunks()) as response:
        assert response.status == 200
        assert (await response.json())[0]["text"].startswith("Bonjour")


async def test_replies_are_compact_utf8_json(http):
    # What a Rasa-style client reads: JSON in UTF-8, accents as they are.
    base, session = http
    body = {"sender": "utf8", "message": "bonjour"}
    async with session.post(base + WEBHOOK, json=body) as response:
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        raw = await response.read()
    replies = json.loads(raw)
    assert "é" in replies[0]["text"]  # "Région", "déplacez-vous"
    assert raw.decode("utf-8") == json.dumps(replies, ensure_ascii=False, separators=(",", ":"))


async def test_an_oversize_body_in_chunks_is_refused(http):
    async def chunks():
        yield b'{"sender": "big", "message": "'
        for _ in range(40):
            yield b"x" * 1024
        yield b'"}'

    base, session = http
    async with session.post(base + WEBHOOK, data=chunks()) as response:
        assert response.status == 413


async def test_a_storage_failure_is_a_503_to_send_again(tmp_path, database_url):
    settings = settings_for(tmp_path, database_url=database_url)
    async with running(settings) as (base, app), aiohttp.ClientSession() as session:
        http = (base, session)
        for n, text in enumerate(("bonjour", "oui")):
            await post(http, {"sender": "r-503", "message": text, "message_id": f"m{n}"})
        database = app[CONVERSATIONS].database  # type: ignore[attr-defined]
        async with database.transaction() as s:
            await s.execute(text_sql("ALTER TABLE transcript_lines RENAME TO transcripts_away"))
        message = {"sender": "r-503", "message": "train", "message_id": "m2"}
        async with session.post(base + WEBHOOK, json=message) as response:
            assert response.status == 503
            assert int(response.headers["Retry-After"]) > 0
            body = await response.json()
        assert body[0]["recipient_id"] == "r-503"
        assert "renvoyer" in body[0]["text"]
        async with database.transaction() as s:
            await s.execute(text_sql("ALTER TABLE transcripts_away RENAME TO transcript_lines"))
        status, body = await post(http, message)  # the client sends it again
        assert status == 200
        assert "1 à 5" in body[-1]["text"]


async def test_an_old_button_payload_does_not_answer_the_question_asked_now(http):
    def say(text: str) -> Any:
        body = {"sender": "r-stale", "message": text, "metadata": {"consultation": "lycees"}}
        return post(http, body)

    for text in ("bonjour", "oui", "Autre habitant", "passer", "xqzw", "xqzw", "xqzw", "2"):
        await say(text)
    _, local_food = await say("cantine")
    assert "La cantine devrait-elle servir" in local_food[-1]["text"]
    old_yes = local_food[-1]["buttons"][0]["payload"]
    _, meeting = await say("non")
    assert "réunion publique" in meeting[-1]["text"]
    status, stale = await say(old_yes)
    assert status == 200
    assert [m["text"] for m in stale] == ["Vous avez déjà répondu à cette question."]
    _, after = await say("non")  # nothing was stored: "non" answers the meeting
    assert "Une autre idée" in after[-1]["text"]
    _, yes_now = await say(meeting[-1]["buttons"][0]["payload"])
    assert "Vous avez déjà répondu" in yes_now[-1]["text"]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=15,
)
_BODIES = st.one_of(
    _JSON,
    st.fixed_dictionaries(
        {"sender": _JSON | st.text(min_size=1, max_size=20), "message": _JSON | st.text()},
        optional={"metadata": _JSON, "message_id": _JSON | st.text(max_size=20)},
    ),
    st.integers(1, 50_000).map(lambda depth: "[" * depth),
    st.binary(max_size=100),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=_BODIES)
async def test_any_body_gets_an_answer_below_500(http, body):
    base, session = http
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    async with session.post(base + WEBHOOK, data=data) as response:
        assert response.status < 500
        answer = await response.json()
    assert isinstance(answer, list) or set(answer) == {"error", "message"}


async def test_a_first_oui_never_shown_the_consent_question_enrols_nobody(http):
    status, body = await post(http, {"sender": "first-oui", "message": "oui", "message_id": "1"})
    assert status == 200
    assert "Acceptez-vous" in body[-1]["text"]  # asked now, not taken as accepted
    _, body = await post(http, {"sender": "first-oui", "message": "oui", "message_id": "1"})
    assert "Acceptez-vous" in body[-1]["text"]  # a retry of it neither
    _, body = await post(http, {"sender": "first-oui", "message": "oui", "message_id": "2"})
    assert "Comment vous déplacez-vous" in body[-1]["text"]


async def test_a_nul_in_the_text_is_dropped_and_one_in_the_message_id_is_refused(http):
    await post(http, {"sender": "nul", "message": "bonjour", "message_id": "1"})
    await post(http, {"sender": "nul", "message": "oui", "message_id": "2"})
    status, body = await post(http, {"sender": "nul", "message": "tra\u0000in", "message_id": "3"})
    assert status == 200
    assert "1 à 5" in body[-1]["text"]  # "train" understood
    status, body = await post(http, {"sender": "nul", "message": "4", "message_id": "a\u0000b"})
    assert (status, body["error"]) == (400, "bad_request")
    assert "message_id" in body["message"]
    assert "NUL" in body["message"]
