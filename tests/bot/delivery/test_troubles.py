"""What an operator reads when the deliverer itself keeps failing: one line
when it starts (a traceback once), one when it works again, nothing every
round in between; the other endpoints keep getting their events."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import update
from sqlalchemy.engine import make_url

from bot.delivery.secrets import WebhookSecrets
from bot.delivery.troubles import Troubles
from storage.database import Database
from storage.models import WebhookEndpointRow
from tests.bot.delivery.receiver import Receiver
from tests.bot.delivery.test_deliverer import (
    KEY,
    add_endpoint,
    deliverer,
    endpoint_now,
    enqueue,
    run_deliverer,
    until,
)
from tests.conftest import set_connections_allowed

__all__ = ["run_deliverer"]  # the fixture, used by name

WATCHED_S = 2.0  # 100 rounds of 20 ms: as many tracebacks before
LOGGER = "bot.delivery.deliverer"


def lines(caplog: pytest.LogCaptureFixture, *words: str) -> list[logging.LogRecord]:
    """The deliverer's log lines that say every one of `words`."""
    return [
        r for r in caplog.records if r.name == LOGGER and all(w in r.getMessage() for w in words)
    ]


async def set_secret(database: Database, endpoint_id: int, secret: str, key: bytes = KEY) -> None:
    sealed = WebhookSecrets(key).seal(secret)
    async with database.transaction() as s:
        await s.execute(
            update(WebhookEndpointRow)
            .where(WebhookEndpointRow.id == endpoint_id)
            .values(secret=sealed)
        )


@pytest.mark.parametrize(
    ("secret", "key", "said"),
    [
        ("whsec_a", KEY, "a webhook secret cannot be used: it is not a whsec_ value"),
        ("hunter2", KEY, "a webhook secret cannot be used: it is not a whsec_ value"),
        ("whsec_", KEY, "a webhook secret cannot be used: it is not a whsec_ value"),
        (None, b"another-secret-key-0123456789abc", "CONSULTBOT_SECRET_KEY changed since"),
    ],
    ids=["not-base64", "no-prefix", "empty", "another-key"],
)
async def test_an_endpoint_whose_secret_cannot_sign_says_what_to_do_once_and_holds_up_no_other(
    database: Database, run_deliverer, caplog, secret, key, said
):
    """Its secret, written by hand, is no Standard Webhooks secret (or was
    sealed under another secret key): one plain line saying to add the webhook
    again, the same words in `webhooks list` (its last error), no traceback;
    retried less and less often, one line once fixed."""
    await enqueue(database, 1)
    broken, healthy = Receiver(secret=""), Receiver(secret="")
    endpoint, broken.secret = await add_endpoint(database, broken.url + "/broken")
    _, healthy.secret = await add_endpoint(database, healthy.url + "/healthy")
    await set_secret(database, endpoint.id, secret or broken.secret, key)
    await broken.start()
    await healthy.start()
    try:
        await run_deliverer(deliverer(database, longest_pause_s=0.2))
        await until(lambda: len(healthy.unique()) == 1, "the healthy endpoint's event")
        await asyncio.sleep(WATCHED_S)
        await enqueue(database, 1, start=1)
        await until(lambda: len(healthy.unique()) == 2, "the next event while the other fails")
        paused = lines(caplog, f"webhook {endpoint.id}")
        assert len(paused) == 1, [r.getMessage() for r in paused]
        assert paused[0].exc_info is None  # its words say what to do
        assert said in paused[0].getMessage()
        assert "add the webhook again (`consultbot webhooks add`)" in paused[0].getMessage()
        assert "up to every 0.2 s" in paused[0].getMessage()
        assert said in ((await endpoint_now(database, endpoint.id)).last_error or "")
        assert not broken.raw
        await set_secret(database, endpoint.id, broken.secret)
        await until(lambda: len(broken.unique()) == 2, "its backlog once its secret is fixed")
        await until(lambda: bool(lines(caplog, "resumed")), "the line saying it works again")
    finally:
        await broken.stop()
        await healthy.stop()
    assert len(lines(caplog, f"webhook {endpoint.id}", "paused")) == 1
    assert len(lines(caplog, f"webhook {endpoint.id}", "resumed")) == 1


def test_an_error_nobody_named_is_logged_once_with_its_traceback(caplog):
    """A bug while serving an endpoint: its traceback once, not every try."""
    moment = [0.0]
    troubles = Troubles(first_pause_s=1.0, longest_pause_s=4.0, clock=lambda: moment[0])
    assert troubles.next_pause(7) == 1.0
    pauses = []
    for _ in range(4):
        pauses.append(troubles.failed(7, "webhook 7 deliveries", RuntimeError("a bug")))
        moment[0] += pauses[-1]
    troubles.worked(7, "webhook 7 deliveries")
    assert pauses == [1.0, 2.0, 4.0, 4.0]
    failed = lines(caplog, "webhook 7 deliveries failed")
    assert len(failed) == 1
    assert failed[0].exc_info is not None
    assert [r.getMessage() for r in lines(caplog, "resumed")] == [
        "webhook 7 deliveries resumed after failing for 11 s (4 tries)"
    ]


async def test_a_database_outage_is_logged_once_when_it_starts_and_once_when_it_ends(
    database: Database, database_url: str, run_deliverer, caplog
):
    if database.backend != "postgresql":
        pytest.skip("a PostgreSQL database closed to connections")
    receiver = Receiver(secret="")
    _, receiver.secret = await add_endpoint(database, receiver.url + "/hook")
    await receiver.start()
    try:
        await run_deliverer(deliverer(database, longest_pause_s=0.2))
        await set_connections_allowed(database_url, False)
        try:
            await asyncio.sleep(WATCHED_S)
        finally:
            await set_connections_allowed(database_url, True)
        await enqueue(database, 1)
        await until(lambda: len(receiver.unique()) == 1, "the event once the database is back")
        await until(lambda: bool(lines(caplog, "resumed")), "the line saying deliveries resumed")
    finally:
        await receiver.stop()
    paused = lines(caplog, "paused")
    assert len(paused) == 1
    assert paused[0].exc_info is None  # the database's words say what to do
    assert f"the database '{make_url(database_url).database}'" in paused[0].getMessage()
    assert len(lines(caplog, "resumed")) == 1
