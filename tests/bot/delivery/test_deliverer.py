"""The deliverer against a real receiver on loopback."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import select

from bot.delivery.deliverer import Deliverer
from bot.delivery.retries import RetryPolicy
from bot.delivery.secrets import WebhookSecrets
from bot.keys import Keys
from bot.pseudonyms import Pseudonymizer
from storage import outbox, webhooks
from storage.commit_order import START
from storage.database import Database
from storage.models import WebhookEndpointRow
from storage.webhooks import Endpoint
from tests.bot.api.unreadable_events import unreadable_rows, write_events
from tests.bot.delivery.receiver import Receiver

KEY = b"test-secret-key-0123456789abcdef"
FAST = RetryPolicy(
    first_delay=dt.timedelta(milliseconds=10), longest_delay=dt.timedelta(milliseconds=50)
)
NOW = dt.datetime.now(dt.UTC)


async def enqueue(database: Database, count: int, start: int = 0) -> None:
    async with database.transaction() as s:
        for n in range(start, start + count):
            payload = {"consultation_id": f"c{n}", "version": n, "title": None}
            await outbox.enqueue(s, "consultation.deployed", payload, now=NOW)


async def add_endpoint(
    database: Database, url: str, events: tuple[str, ...] = ("consultation.deployed",)
) -> tuple[Endpoint, str]:
    sealer = WebhookSecrets(KEY)
    secret = sealer.new()
    async with database.transaction() as s:
        endpoint = await webhooks.add(s, url, events, sealer.seal(secret), start=START, now=NOW)
    return endpoint, secret


async def endpoint_now(database: Database, endpoint_id: int) -> Endpoint:
    async with database.transaction() as s:
        return next(e for e in await webhooks.all_endpoints(s) if e.id == endpoint_id)


def deliverer(database: Database, **options) -> Deliverer:
    options.setdefault("policy", FAST)
    options.setdefault("poll_interval_s", 0.02)
    return Deliverer(database, Pseudonymizer(Keys(KEY)), KEY, **options)


@pytest.fixture
async def run_deliverer() -> AsyncIterator[Callable[[Deliverer], Awaitable[None]]]:
    stops: list[tuple[asyncio.Event, asyncio.Task[None]]] = []

    async def start(d: Deliverer) -> None:
        stop = asyncio.Event()
        stops.append((stop, asyncio.create_task(d.run(stop))))

    yield start
    for stop, task in stops:
        stop.set()
        await asyncio.wait_for(task, 30)
    # The client library leaves the socket of a refused connection (a receiver
    # that was down) to the collector, which reports it unclosed: collected here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


async def until(condition: Callable[[], Awaitable[bool] | bool], what: str) -> None:
    """Wait for `condition`, checking at each step of the loop; fail after 60 s."""
    async with asyncio.timeout(60):
        while True:
            outcome = condition()
            if outcome if isinstance(outcome, bool) else await outcome:
                return
            await asyncio.sleep(0.01)
    raise AssertionError(what)


async def test_a_receiver_stopped_mid_run_gets_every_event_once_after_dedupe(
    database: Database, run_deliverer
):
    await enqueue(database, 60)
    receiver = Receiver(secret="")
    endpoint, receiver.secret = await add_endpoint(database, receiver.url + "/hook")
    await receiver.start()
    await run_deliverer(deliverer(database))
    await until(lambda: len(receiver.raw) >= 20, "the first deliveries")
    await receiver.stop()  # mid-run
    await enqueue(database, 20, start=60)  # events keep coming meanwhile

    async def failing() -> bool:
        return (await endpoint_now(database, endpoint.id)).failing_since is not None

    await until(failing, "the failure to be recorded")
    down = await endpoint_now(database, endpoint.id)
    assert "cannot reach it" in (down.last_error or "")
    await receiver.start()
    await until(lambda: len(receiver.unique()) == 80, "every event after the restart")
    assert receiver.forged == 0
    versions = sorted(body["data"]["version"] for body in receiver.bodies.values())
    assert versions == list(range(80))
    # In order: each first arrival comes after the previous event's.
    first_seen = list(dict.fromkeys(webhook_id for _, webhook_id in receiver.raw))
    assert [receiver.bodies[i]["data"]["version"] for i in first_seen] == list(range(80))

    async def recovered() -> bool:
        return (await endpoint_now(database, endpoint.id)).failing_since is None

    await until(recovered, "the endpoint to be healthy again")


async def test_with_several_in_flight_a_failing_receiver_still_gets_every_event(
    database: Database, run_deliverer
):
    await enqueue(database, 120)
    receiver = Receiver(secret="")
    endpoint, receiver.secret = await add_endpoint(database, receiver.url + "/hook")
    await receiver.start()
    try:
        await run_deliverer(deliverer(database, in_flight=8))
        await until(lambda: len(receiver.raw) >= 30, "the first deliveries")
        receiver.status = 500  # mid-run: some requests of a window answered, others not
        await enqueue(database, 20, start=120)

        async def failing() -> bool:
            return (await endpoint_now(database, endpoint.id)).failing_since is not None

        await until(failing, "the failure to be recorded")
        receiver.status = 200
        await until(lambda: len(receiver.bodies) == 140, "every event once it answers again")
        assert receiver.forged == 0
        versions = sorted(body["data"]["version"] for body in receiver.bodies.values())
        assert versions == list(range(140))

        async def caught_up() -> bool:
            now = await endpoint_now(database, endpoint.id)
            return now.failing_since is None and now.delivered >= 140

        await until(caught_up, "the endpoint to be healthy and past every event")
    finally:
        await receiver.stop()


async def test_an_event_this_version_cannot_read_is_sent_in_its_place_and_the_rest_follows(
    database: Database, run_deliverer, caplog
):
    """A row written by hand or by a newer version: the endpoint gets it as
    event.unreadable in its place, once, and the events after it; one log line
    names it, instead of a traceback and a retry every second for ever."""
    rows = unreadable_rows(database)
    await enqueue(database, 1)
    row_ids = await write_events(database, rows)
    await enqueue(database, 1, start=1)
    receiver = Receiver(secret="")
    types = ("consultation.deployed", "contribution.completed", "contribution.amended")
    types += ("answer.approved",)
    endpoint, receiver.secret = await add_endpoint(database, receiver.url + "/hook", types)
    await receiver.start()
    try:
        await run_deliverer(deliverer(database))
        await until(lambda: len(receiver.unique()) == len(rows) + 2, "every event")

        async def recorded() -> bool:  # the deliverer records a batch once it was answered
            return (await endpoint_now(database, endpoint.id)).delivered == len(rows) + 2

        await until(recorded, "the deliveries to be recorded")
    finally:
        await receiver.stop()
    sent = [receiver.bodies[webhook_id] for _, webhook_id in receiver.raw]
    assert [body["type"] for body in sent] == [
        "consultation.deployed",
        *["event.unreadable"] * len(rows),
        "consultation.deployed",
    ]
    assert [body["data"]["type"] for body in sent[1:-1]] == [type_ for type_, _ in rows]
    assert receiver.duplicates() == 0
    after = await endpoint_now(database, endpoint.id)
    assert (after.delivered, after.failing_since, after.last_error) == (len(rows) + 2, None, None)
    logged = [r.getMessage() for r in caplog.records if r.name == "bot.delivery.deliverer"]
    assert len(logged) == len(rows)
    for line, row_id, body in zip(logged, row_ids, sent[1:-1], strict=True):
        assert f"event {row_id} ({body['id']}) cannot be read" in line


def test_in_flight_is_at_least_one(database: Database):
    with pytest.raises(ValueError, match="at least 1"):
        deliverer(database, in_flight=0)


async def test_a_webhook_added_while_running_takes_effect_and_disabling_stops_it(
    database: Database, run_deliverer
):
    await run_deliverer(deliverer(database))
    receiver = Receiver(secret="")
    await receiver.start()
    try:
        endpoint, receiver.secret = await add_endpoint(database, receiver.url + "/late")
        await enqueue(database, 3)
        await until(lambda: len(receiver.unique()) == 3, "the new webhook's deliveries")
        async with database.transaction() as s:
            assert await webhooks.set_enabled(s, endpoint.id, False)
        await enqueue(database, 3, start=3)
        _, other_secret = await add_endpoint(database, receiver.url + "/witness")
        receiver.secret = other_secret
        await until(lambda: any(p == "/witness" for p, _ in receiver.raw), "the witness")
        await until(
            lambda: len([k for k in receiver.raw if k[0] == "/witness"]) == 6, "all 6 to witness"
        )
        assert len([k for k in receiver.raw if k[0] == "/late"]) == 3  # none after disabling
    finally:
        await receiver.stop()


async def test_an_endpoint_that_holds_its_answer_holds_up_no_other(
    database: Database, run_deliverer
):
    slow, healthy = Receiver(secret="", hang=True), Receiver(secret="")
    _, slow.secret = await add_endpoint(database, slow.url + "/slow")
    _, healthy.secret = await add_endpoint(database, healthy.url + "/healthy")
    await slow.start()
    await healthy.start()
    try:
        await enqueue(database, 1)
        # No time-out cuts the held answer short: only the test releases it.
        await run_deliverer(deliverer(database, timeout_s=3600))
        await until(slow.holding.is_set, "the slow endpoint to hold the first event")
        await enqueue(database, 1, start=1)
        await until(lambda: len(healthy.unique()) == 2, "the next event while the other holds")
        assert not slow.raw  # still held: not answered, not cut
        assert slow.requests == 1  # one event in flight to it, never sent twice at once
        slow.release()
        await until(lambda: len(slow.unique()) == 2, "the slow endpoint's backlog once released")
        assert [slow.bodies[i]["data"]["version"] for _, i in slow.raw] == [0, 1]
        assert [healthy.bodies[i]["data"]["version"] for _, i in healthy.raw] == [0, 1]
        assert slow.overlaps == 0
    finally:
        await slow.stop()
        await healthy.stop()


async def test_a_long_backlog_to_a_slow_endpoint_keeps_its_lease_to_the_end(database: Database):
    """Each send takes 10 s (the time-out is 15 s): the deliverer records what
    it sent and renews its lease before the lease runs out, so no other
    process may take the endpoint while this one still sends to it."""
    await enqueue(database, 20)
    # From the real time: the receiver refuses a signature over 5 minutes off.
    start = dt.datetime.now(dt.UTC)
    clock = [start]
    lapsed: list[dt.datetime] = []

    async def slow_answer() -> None:
        async with database.read() as s:
            lease = await s.scalar(select(WebhookEndpointRow.lease_until))
        if lease is None or lease <= clock[0]:
            lapsed.append(clock[0])
        clock[0] += dt.timedelta(seconds=10)

    receiver = Receiver(secret="", on_request=slow_answer)
    endpoint, receiver.secret = await add_endpoint(database, receiver.url + "/hook")
    await receiver.start()
    stop = asyncio.Event()
    try:
        running = asyncio.create_task(deliverer(database, clock=lambda: clock[0]).run(stop))
        await until(lambda: len(receiver.unique()) == 20, "the whole backlog")
        stop.set()
        await asyncio.wait_for(running, 30)
    finally:
        await receiver.stop()
    assert clock[0] - start >= dt.timedelta(minutes=3)  # longer than one lease
    assert receiver.forged == 0
    assert lapsed == []
    assert (await endpoint_now(database, endpoint.id)).delivered == 20


async def test_stopping_ends_each_endpoint_after_its_send_in_flight_and_gives_it_back(
    database: Database,
):
    await enqueue(database, 3)
    slow = Receiver(secret="", hang=True)
    endpoint, slow.secret = await add_endpoint(database, slow.url + "/slow")
    await slow.start()
    stop = asyncio.Event()
    try:
        running = asyncio.create_task(deliverer(database, timeout_s=3600).run(stop))
        await until(slow.holding.is_set, "the first event to be held")
        stop.set()
        slow.release()
        await asyncio.wait_for(running, 30)
    finally:
        await slow.stop()
    assert [slow.bodies[i]["data"]["version"] for _, i in slow.raw] == [0]  # not the backlog
    after = await endpoint_now(database, endpoint.id)
    assert after.delivered == 1
    async with database.transaction() as s:  # its lease given back: another takes it at once
        taken = await webhooks.claim(s, "other", now=NOW, lease=dt.timedelta(minutes=2), limit=9)
    assert [e.id for e in taken] == [endpoint.id]


async def test_cancelling_the_deliverer_cancels_every_endpoint_s_task(database: Database):
    await enqueue(database, 1)
    slow = Receiver(secret="", hang=True)
    _, slow.secret = await add_endpoint(database, slow.url + "/slow")
    await slow.start()
    try:
        running = asyncio.create_task(deliverer(database, timeout_s=3600).run())
        await until(slow.holding.is_set, "the event to be held")
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            async with asyncio.timeout(30):  # a task left waiting on the receiver fails here
                await running
        left = [t for t in asyncio.all_tasks() if "_serve" in repr(t.get_coro())]
        assert left == []
    finally:
        await slow.stop()


@pytest.mark.parametrize(
    ("status", "headers", "hang", "error"),
    [
        (500, {}, False, "HTTP 500"),
        (503, {"Retry-After": "²"}, False, "HTTP 503"),  # an unreadable Retry-After: backoff
        (302, {"Location": "http://127.0.0.1:1/"}, False, "redirects are not followed"),
        (200, {}, True, "no answer within 0.2 s"),
    ],
)
async def test_a_failing_endpoint_keeps_its_backlog_and_says_why(
    database: Database, run_deliverer, status, headers, hang, error
):
    await enqueue(database, 2)
    receiver = Receiver(secret="", status=status, headers=headers, hang=hang)
    endpoint, receiver.secret = await add_endpoint(database, receiver.url + "/x")
    await receiver.start()

    async def failed() -> bool:
        return (await endpoint_now(database, endpoint.id)).last_error is not None

    try:
        # The default backoff: not tried again while the test looks.
        await run_deliverer(deliverer(database, timeout_s=0.2, policy=RetryPolicy()))
        await until(failed, "the failure to be recorded")
    finally:
        await receiver.stop()
    after = await endpoint_now(database, endpoint.id)
    assert error in (after.last_error or "")
    assert (after.position, after.delivered, after.attempts) == (START, 0, 1)
    assert after.enabled
    assert after.next_attempt_at is not None


async def test_retry_after_is_honoured_and_410_disables(database: Database, run_deliverer):
    await enqueue(database, 1)
    receiver = Receiver(secret="", status=429, headers={"Retry-After": "120"})
    endpoint, receiver.secret = await add_endpoint(database, receiver.url + "/x")
    witness = Receiver(secret="")
    await receiver.start()
    await witness.start()
    moment = dt.datetime.now(dt.UTC)
    clock = [moment]

    async def throttled() -> bool:
        return (await endpoint_now(database, endpoint.id)).next_attempt_at is not None

    async def gone() -> bool:
        return not (await endpoint_now(database, endpoint.id)).enabled

    try:
        await run_deliverer(deliverer(database, clock=lambda: clock[0]))
        await until(throttled, "the 429 to be recorded")
        assert (await endpoint_now(database, endpoint.id)).next_attempt_at == moment + (
            dt.timedelta(seconds=120)
        )
        # A webhook added since gets its event: rounds went on, the throttled
        # endpoint was not due in them.
        _, witness.secret = await add_endpoint(database, witness.url + "/witness")
        await until(lambda: len(witness.unique()) == 1, "the witness's event")
        assert receiver.requests == 1
        receiver.status, receiver.headers = 410, {}
        clock[0] = moment + dt.timedelta(seconds=121)
        await until(gone, "the 410 to disable the endpoint")
    finally:
        await receiver.stop()
        await witness.stop()
    assert receiver.requests == 2
    disabled = await endpoint_now(database, endpoint.id)
    assert "410 Gone" in (disabled.disabled_reason or "")
    assert disabled.position == START  # the backlog is kept


def test_backoff_grows_with_jitter_up_to_its_ceiling():
    policy = RetryPolicy()
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert policy.delay(1, now=now, jitter=lambda: 1.0) == dt.timedelta(seconds=5)
    assert policy.delay(3, now=now, jitter=lambda: 1.0) == dt.timedelta(seconds=20)
    assert policy.delay(3, now=now, jitter=lambda: 0.0) == dt.timedelta(seconds=10)
    assert policy.delay(40, now=now, jitter=lambda: 1.0) == dt.timedelta(hours=6)
    http_date = "Thu, 01 Jan 2026 00:01:00 GMT"
    assert policy.delay(1, http_date, now=now) == dt.timedelta(minutes=1)
    # A receiver's odd figures: unreadable ones are ignored, huge ones capped.
    assert policy.delay(1, "²", now=now, jitter=lambda: 1.0) == dt.timedelta(seconds=5)
    assert policy.delay(1, "５", now=now, jitter=lambda: 1.0) == dt.timedelta(seconds=5)
    assert policy.delay(1, "9" * 15, now=now) == dt.timedelta(days=1)
    assert policy.delay(1, "9" * 5000, now=now) == dt.timedelta(days=1)
    assert policy.gives_up(now - dt.timedelta(days=3), now)
    assert not policy.gives_up(now - dt.timedelta(days=2), now)
