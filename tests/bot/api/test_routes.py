"""The pull API over real HTTP: who may call it, what it gives, and that its
answers match its own OpenAPI document."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import re
from typing import Any

import jsonschema
import pytest
from sqlalchemy import text as sql

from bot.api.openapi import document
from storage import answers, consultations, contributions, outbox
from tests.bot.api.conftest import Served
from tests.bot.api.unreadable_events import unreadable_rows, write_events
from tests.conftest import set_read_only
from tests.serving import DEMO
from tests.storage.seeding import moderate

NOW = dt.datetime.now(dt.UTC)


def check(schema: str, body: Any) -> None:
    """`body` is valid against the named schema of the OpenAPI document."""
    doc = document()
    validator = jsonschema.Draft202012Validator(
        {"$ref": f"#/components/schemas/{schema}", "components": doc["components"]}
    )
    validator.validate(body)


def api_paths(served: Served) -> list[str]:
    """Every API route of the application's router, with its parameters filled."""
    paths = []
    for resource in served.app.router.resources():
        path = resource.canonical
        if path.startswith("/api/"):
            paths.append(re.sub(r"\{[^}]*\}", "mobilite", path))
    return paths


async def test_every_api_route_refuses_anonymous_revoked_and_wrong_scope_tokens(serve):
    served = await serve()
    revoked = await served.token("contributions:read", "events:read", revoked=True)
    paths = api_paths(served)
    assert len(paths) >= 5
    for path in paths:
        for token in (None, "cbt_made-up", revoked):
            status, body, _ = await served.get(path, token)
            assert (status, body["code"]) == (401, "unauthorized"), (path, token)
            check("Error", body)
    events_only = await served.token("events:read")
    contributions_only = await served.token("contributions:read")
    for path, wrong in [
        ("/api/v1/consultations", events_only),
        ("/api/v1/consultations/mobilite/contributions", events_only),
        ("/api/v1/events", contributions_only),
    ]:
        status, body, _ = await served.get(path, wrong)
        assert (status, body["code"]) == (403, "insufficient_scope"), path


async def test_the_openapi_document_describes_every_route(serve):
    served = await serve()
    token = await served.token("events:read")
    status, doc, _ = await served.get("/api/v1/openapi.json", token)
    assert status == 200
    assert doc["openapi"] == "3.1.0"
    routes = {
        resource.canonical
        for resource in served.app.router.resources()
        if resource.canonical.startswith("/api/v1/")
    }
    assert routes == set(doc["paths"])
    jsonschema.Draft202012Validator.check_schema({"$defs": doc["components"]["schemas"]})


async def test_contributions_are_paged_with_cursors_and_show_only_approved_text(serve):
    served = await serve()
    token = await served.token("contributions:read")
    for resident in ("alice", "bob", "carol"):
        await served.say(resident, *DEMO)
    status, body, _ = await served.get("/api/v1/consultations", token)
    assert status == 200
    check("ConsultationList", body)
    assert "mobilite" in {c["id"] for c in body["data"]}

    path = "/api/v1/consultations/mobilite/contributions"
    status, first, _ = await served.get(path + "?limit=2", token)
    assert status == 200
    check("ContributionPage", first)
    assert (len(first["data"]), first["has_more"]) == (2, True)
    _, rest, _ = await served.get(f"{path}?limit=2&after={first['next_cursor']}", token)
    check("ContributionPage", rest)
    assert (len(rest["data"]), rest["has_more"]) == (1, False)
    every = first["data"] + rest["data"]
    assert len({c["id"] for c in every}) == 3
    contribution = every[0]
    assert contribution["status"] == "completed"
    mode = contribution["answers"][0]
    assert (mode["question"], mode["value"], mode["labels"]) == ("mode", "train", ["Train"])
    assert "proposal" not in {a["question"] for a in contribution["answers"]}

    # A moderator approves one proposal redacted, rejects another and approves
    # the last one as it was written.
    async with served.database.transaction() as s:
        pending = await answers.for_moderation(s)
    await moderate(served.database, pending[0].id, approved=True, text="Plus de trains le soir")
    await moderate(served.database, pending[1].id, approved=False)
    _, again, _ = await served.get(path + "?limit=10", token)
    proposals = [
        a["value"] for c in again["data"] for a in c["answers"] if a["question"] == "proposal"
    ]
    assert proposals == ["Plus de trains le soir"]
    assert "Orléans" not in str(again)
    await moderate(served.database, pending[2].id, approved=True)
    _, again, _ = await served.get(path + "?limit=10", token)
    proposals = [
        a["value"] for c in again["data"] for a in c["answers"] if a["question"] == "proposal"
    ]
    assert proposals == ["Plus de trains le soir", DEMO[-1]]
    # Nothing new past the last cursor.
    _, after, _ = await served.get(f"{path}?after={rest['next_cursor']}", token)
    assert (after["data"], after["next_cursor"]) == ([], rest["next_cursor"])


async def test_the_event_feed_replays_every_kind_of_event(serve):
    served = await serve()
    token = await served.token("events:read")
    await served.say("alice", *DEMO)
    await served.say("bob", *DEMO)
    async with served.database.transaction() as s:
        pending = await answers.for_moderation(s)
    await moderate(served.database, pending[0].id, approved=True, text="Plus de trains")
    await moderate(served.database, pending[1].id, approved=False)
    before = await _events_through(served, token, "answer.rejected")
    alice, bob = (e["data"] for e in before if e["type"] == "contribution.completed")
    await served.say("bob", "supprimer mes données", "oui")

    status, body, _ = await served.get("/api/v1/events?limit=1000", token)
    assert status == 200
    check("EventPage", body)
    kinds = [event["type"] for event in body["data"]]
    assert kinds.count("consultation.deployed") >= 1
    # Bob's completion, never delivered, went with his data; the engine is told.
    assert kinds[-4:] == [
        "contribution.completed",
        "answer.approved",
        "answer.rejected",
        "participant.erased",
    ]
    assert body["data"][-4]["data"] == alice
    approved, rejected, erased = (e["data"] for e in body["data"][-3:])
    assert approved == {
        "contribution": alice["id"],
        "answer": approved["answer"],
        "consultation": "mobilite",
        "question": "proposal",
        "text": "Plus de trains",
        "tags": [],
    }
    assert rejected["reason"] == "off_topic"
    assert "text" not in rejected
    assert erased == {"contributions": [bob["id"]]}
    assert bob["id"] != alice["id"]
    # Replayed from the cursor before the last two: the same events, same ids.
    _, part, _ = await served.get("/api/v1/events?limit=3", token)
    _, tail, _ = await served.get(f"/api/v1/events?after={part['next_cursor']}", token)
    assert [e["id"] for e in part["data"] + tail["data"]] == [e["id"] for e in body["data"]]
    _, only, _ = await served.get("/api/v1/events?type=participant.erased", token)
    assert [e["type"] for e in only["data"]] == ["participant.erased"]
    async with served.database.transaction() as s:
        assert [c.pseudonym for c in await contributions.page(s, "mobilite")] == [
            alice["participant"]
        ]


async def _events_through(served: Served, token: str, last: str) -> list[dict[str, Any]]:
    """The feed once it shows an event of type `last`: the feed holds back what
    a transaction still in flight on the server might precede (other tests'
    databases included), for a moment."""
    for _ in range(100):
        _, page, _ = await served.get("/api/v1/events?limit=1000", token)
        if any(event["type"] == last for event in page["data"]):
            return list(page["data"])
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {last} event in the feed")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("after=not-a-cursor", "invalid_cursor"),
        ("after=c1_%%%", "invalid_cursor"),
        ("limit=1000000000", "invalid_limit"),
        ("limit=-1", "invalid_limit"),
        ("limit=%C2%B2", "invalid_limit"),  # "²": a digit to str.isdigit, not to int()
        ("limit=%EF%BC%95", "invalid_limit"),  # a full-width "5": ASCII digits only
        pytest.param("limit=" + "1" * 5000, "invalid_limit", id="limit=5000 digits"),
        ("type=contribution.exploded", "invalid_type"),
    ],
)
async def test_bad_parameters_are_a_clear_json_error(serve, query, code):
    served = await serve()
    token = await served.token("events:read")
    status, body, _ = await served.get(f"/api/v1/events?{query}", token)
    assert (status, body["code"]) == (400, code)
    check("Error", body)


def cursor_of(body: str) -> str:
    """A cursor as the API writes them, around any text."""
    return "c1_" + base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


async def test_a_cursor_past_a_64_bit_integer_is_refused_and_the_largest_one_read(serve):
    served = await serve()
    token = await served.token("events:read", "contributions:read")
    for path in ("/api/v1/events", "/api/v1/consultations/mobilite/contributions"):
        for body in ("0.9999999999999999999", "9223372036854775808.0"):
            status, answer, _ = await served.get(f"{path}?after={cursor_of(body)}", token)
            assert (status, answer["code"]) == (400, "invalid_cursor"), (path, body)
            check("Error", answer)
        largest = cursor_of("9223372036854775807.9223372036854775807")
        status, page, _ = await served.get(f"{path}?after={largest}", token)
        assert (status, page["data"]) == (200, []), path
        status, again, _ = await served.get(f"{path}?after={page['next_cursor']}", token)
        assert (status, again["data"], again["next_cursor"]) == (200, [], page["next_cursor"])


async def test_a_cursor_from_another_feed_is_refused_and_one_given_before_still_read(serve):
    """An engine that keeps a cursor per feed and passes the wrong one would
    skip or read again what it never had: the mistake is named instead."""
    served = await serve()
    token = await served.token("events:read", "contributions:read")
    await served.say("alice", *DEMO)
    events = "/api/v1/events?limit=1"
    mobilite = "/api/v1/consultations/mobilite/contributions?limit=1"
    lycees = "/api/v1/consultations/lycees/contributions"
    _, first_events, _ = await served.get(events, token)
    _, first_mobilite, _ = await served.get(mobilite, token)
    for path, cursor in [
        (mobilite, first_events["next_cursor"]),
        (events, first_mobilite["next_cursor"]),
        (lycees + "?limit=1", first_mobilite["next_cursor"]),
    ]:
        status, body, _ = await served.get(f"{path}&after={cursor}", token)
        assert (status, body["code"]) == (400, "invalid_cursor"), path
        assert "given out by another feed" in body["message"]
        check("Error", body)
    # Read on with its own cursor: what came next.
    status, more, _ = await served.get(f"{events}&after={first_events['next_cursor']}", token)
    assert status == 200
    assert more["data"]
    assert more["data"][0]["id"] != first_events["data"][0]["id"]
    # A cursor given out before cursors named their feed is still read.
    status, page, _ = await served.get(f"{events}&after={cursor_of('0.0')}", token)
    assert (status, page["data"]) == (200, first_events["data"])


async def test_other_methods_are_a_json_405_naming_those_allowed(serve):
    served = await serve()
    token = await served.token("contributions:read", "events:read")
    paths = [p for p in api_paths(served) if p.startswith("/api/v1/")]
    assert len(paths) >= 4
    for path in paths:
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            status, body, headers = await served.call(method, path, token)
            assert (status, body["code"]) == (405, "method_not_allowed"), (method, path)
            assert headers["Allow"] == "GET, HEAD"
            assert "GET" in body["message"]
            check("Error", body)
            # No token: refused as a GET would be, saying nothing of the route.
            status, body, _ = await served.call(method, path, None)
            assert (status, body["code"]) == (401, "unauthorized"), (method, path)
    status, body, _ = await served.call("POST", "/api/v1/nope", token)
    assert (status, body["code"]) == (404, "not_found")


async def test_an_unexpected_failure_is_a_json_500_and_one_log_line(serve, caplog, monkeypatch):
    served = await serve()
    token = await served.token("contributions:read")

    async def a_bug(*_: object) -> None:
        raise RuntimeError("a bug\nits second line")

    monkeypatch.setattr(consultations, "live_versions", a_bug)
    status, body, _ = await served.get("/api/v1/consultations", token)
    assert (status, body["code"]) == (500, "internal_error")
    assert "logged" in body["message"]
    check("Error", body)
    logged = [r for r in caplog.records if r.name == "bot.api.routes"]
    assert [r.levelname for r in logged] == ["ERROR"]
    assert "GET /api/v1/consultations" in logged[0].getMessage()
    assert logged[0].getMessage().endswith("failed: RuntimeError: a bug")
    assert logged[0].exc_info is None  # the traceback only when debugging


async def test_a_flow_version_this_server_cannot_read_fails_no_page(serve, caplog):
    """Its definition edited by hand: the consultation and its contributions
    are given with what needs no flow and `unreadable`, one log line each
    request, instead of a 500 for every reader."""
    served = await serve()
    token = await served.token("contributions:read")
    await served.say("alice", *DEMO)
    async with served.database.transaction() as s:
        mobilite = "live AND consultation_id = 'mobilite'"
        await s.execute(sql(f"UPDATE flow_versions SET definition = '[' WHERE {mobilite}"))
        version_id, version = (
            await s.execute(sql(f"SELECT id, version FROM flow_versions WHERE {mobilite}"))
        ).one()
    reason = f"this server cannot read the consultation's flow version {version}"

    status, listed, _ = await served.get("/api/v1/consultations", token)
    assert status == 200
    check("ConsultationList", listed)
    (unreadable,) = [c for c in listed["data"] if c["id"] == "mobilite"]
    assert unreadable["version"] == version
    assert unreadable["unreadable"]["reason"].startswith(reason)
    assert "questions" not in unreadable
    others = [c for c in listed["data"] if c["id"] != "mobilite"]
    assert others
    assert all("questions" in c and "unreadable" not in c for c in others)

    path = "/api/v1/consultations/mobilite/contributions"
    status, page, _ = await served.get(path, token)
    assert status == 200
    check("ContributionPage", page)
    (contribution,) = page["data"]
    assert contribution["id"].startswith("ctb_")
    assert (contribution["flow_version"], contribution["status"]) == (version, "completed")
    assert contribution["unreadable"]["reason"].startswith(reason)
    assert "answers" not in contribution
    logged = [r.getMessage() for r in caplog.records if r.name == "bot.api.routes"]
    assert len(logged) == 2
    for line in logged:
        assert f"flow version {version_id} (mobilite v{version}) cannot be read" in line


async def test_an_event_this_version_cannot_read_is_given_in_its_place_and_the_feed_goes_on(
    serve, caplog
):
    served = await serve()
    token = await served.token("events:read")
    rows = unreadable_rows(served.database)
    row_ids = await write_events(served.database, rows)
    async with served.database.transaction() as s:
        payload = {"consultation_id": "after", "version": 7, "title": None}
        await outbox.enqueue(s, "consultation.deployed", payload, now=NOW)

    status, body, _ = await served.get("/api/v1/events?limit=1000", token)
    assert status == 200
    check("EventPage", body)
    unreadable = [e for e in body["data"] if e["type"] == "event.unreadable"]
    assert [e["data"]["type"] for e in unreadable] == [type_ for type_, _ in rows]
    assert all(e["id"].startswith("evt_") for e in unreadable)
    assert body["data"][-1]["data"] == {"consultation": "after", "version": 7, "title": None}
    # One line each for whoever runs it, naming the event.
    logged = [r.getMessage() for r in caplog.records if r.name == "bot.api.routes"]
    assert len(logged) == len(rows)
    for line, row_id, event in zip(logged, row_ids, unreadable, strict=True):
        assert f"event {row_id} ({event['id']}) cannot be read" in line
    # Asked for one type, the unreadable rows stored as that type are in their place.
    _, only, _ = await served.get("/api/v1/events?type=consultation.deployed", token)
    check("EventPage", only)
    assert [e["type"] for e in only["data"][-2:]] == ["event.unreadable", "consultation.deployed"]


async def test_an_unknown_consultation_is_a_json_404(serve):
    served = await serve()
    token = await served.token("contributions:read")
    status, body, _ = await served.get("/api/v1/consultations/nope/contributions", token)
    assert (status, body["code"]) == (404, "unknown_consultation")


async def test_each_token_is_rate_limited(serve):
    served = await serve(api__rate_per_minute=1, api__burst=2)
    token, other = await served.token("events:read"), await served.token("events:read")
    statuses = [(await served.get("/api/v1/events", token))[0] for _ in range(3)]
    assert statuses == [200, 200, 429]
    status, body, headers = await served.get("/api/v1/events", token)
    assert (status, body["code"]) == (429, "rate_limited")
    assert int(headers["Retry-After"]) >= 1
    assert (await served.get("/api/v1/events", other))[0] == 200


async def test_a_request_the_database_cannot_serve_is_a_json_503_and_one_log_line(
    serve, database_url, caplog
):
    if not database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL database set read-only, as a standby is")
    served = await serve()
    token = await served.token("events:read")
    await set_read_only(database_url, True)
    try:
        status, body, _ = await served.get("/api/v1/events", token)
    finally:
        await set_read_only(database_url, False)
    assert (status, body["code"]) == (503, "unavailable")
    assert "try again" in body["message"]
    check("Error", body)
    logged = [r for r in caplog.records if r.name == "bot.api.routes"]
    assert [r.levelname for r in logged] == ["ERROR"]
    assert "takes no writes" in logged[0].getMessage()
    assert logged[0].exc_info is None
    assert (await served.get("/api/v1/events", token))[0] == 200
