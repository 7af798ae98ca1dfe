"""The deliverer: pushes the outbox to every enabled webhook endpoint, in order,
at least once, signed as Standard Webhooks.

Each round leases the endpoints that are due (storage.webhooks.claim; several
processes on one PostgreSQL never hold the same endpoint) and starts a task for
each that sends the events after its position one at a time (per-endpoint
order; `in_flight` above 1 sends that many at once, order not kept), recording
progress and renewing its lease after every batch (a batch to a slow endpoint
ends early rather than outlive the lease, which another process would take).
Rounds do not wait for those tasks: an endpoint that is slow to answer, or never
answers, holds up only itself, and the next round leases the others as their
events come. An endpoint has at most one task
(a round leases none that this deliverer is still serving); stopping lets each
task finish the send in flight, record it and give its lease back.
A failure stops that endpoint until its retry time
(exponential backoff with jitter, or the endpoint's Retry-After; given up after
three days: the endpoint is disabled, its backlog kept). A 410 Gone disables the
endpoint. Redirects are not followed (a failure), the time-out is 15 s.
An error of the deliverer's own (the database away, an endpoint that cannot be
served) is logged once when it starts and once when it ends
(bot.delivery.troubles); meanwhile the round, or that endpoint alone, is tried
again after pauses that double up to a minute.

The same event always goes with the same `webhook-id` (its public id), so a
receiver dedupes retries. Endpoints are read from the database every round:
webhooks added or disabled while `serve` runs take effect without a restart.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from standardwebhooks import Webhook

from bot.api.serializer import PublicIds, answer_ids, public_event
from bot.api.vocabulary import EVENT_UNREADABLE
from bot.delivery.retries import RetryPolicy
from bot.delivery.secrets import WebhookSecrets
from bot.delivery.troubles import Troubles
from bot.errors import ConfigError
from bot.pseudonyms import Pseudonymizer
from storage import answers, outbox, webhooks
from storage.database import Database
from storage.errors import DatabaseUnavailable
from storage.outbox import FeedEvent
from storage.webhooks import Endpoint

log = logging.getLogger(__name__)

TIMEOUT_S = 15.0
LEASE = dt.timedelta(minutes=2)
LONGEST_PAUSE_S = 60.0  # between tries of a round or an endpoint that keeps failing
ROUND = None  # the round's part in Troubles: the database, for every endpoint
BATCH = 200  # events read, sent and recorded at a time


@dataclass(frozen=True, slots=True)
class _Outcome:
    sent: bool
    error: str = ""
    retry_after: str | None = None
    gone: bool = False


class Deliverer:
    def __init__(
        self,
        database: Database,
        pseudonyms: Pseudonymizer,
        secret_key: bytes,
        *,
        policy: RetryPolicy | None = None,
        timeout_s: float = TIMEOUT_S,
        poll_interval_s: float = 1.0,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        max_endpoints: int = 16,
        in_flight: int = 1,
        longest_pause_s: float = LONGEST_PAUSE_S,
    ) -> None:
        """`in_flight`: events sent to one endpoint at once. 1 keeps each
        endpoint's order (an event is sent once the one before it was
        received); more sends faster to a receiver that handles requests in
        parallel, in any order, each event still at least once."""
        if in_flight < 1:
            raise ValueError("in_flight is at least 1")
        self._db = database
        self._ids = PublicIds(pseudonyms)
        self._secrets = WebhookSecrets(secret_key)
        self._policy = policy or RetryPolicy()
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._timeout_s = timeout_s
        self._poll = poll_interval_s
        self._clock = clock
        self._max_endpoints = max_endpoints
        self._in_flight = in_flight
        # An error that is not the endpoint's answer (the database away, a bug)
        # is said once and tried again less and less often, not every round.
        self._troubles = Troubles(first_pause_s=poll_interval_s, longest_pause_s=longest_pause_s)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Deliver until `stop` is set (or cancelled)."""
        stop = stop or asyncio.Event()
        # Connections are kept alive and reused: one per event in flight.
        connector = aiohttp.TCPConnector(limit_per_host=max(4, self._in_flight))
        # No cookies kept, no bodies decompressed: a receiver's answer is only a status.
        async with aiohttp.ClientSession(
            connector=connector,
            timeout=self._timeout,
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
        ) as http:
            serving: dict[int, asyncio.Task[bool]] = {}
            stopping = asyncio.create_task(stop.wait())
            try:
                while not stop.is_set():
                    pause = self._poll
                    try:
                        await self._start_due(http, serving, stop)
                    except Exception as error:
                        pause = self._troubles.failed(ROUND, "webhook deliveries", error)
                    else:
                        self._troubles.worked(ROUND, "webhook deliveries")
                    await self._pause(stopping, serving, pause)
                # Each task stops after its send in flight and gives its lease back.
                if serving:
                    await asyncio.wait(serving.values())
                self._reap(serving)
            finally:
                stopping.cancel()
                for task in serving.values():  # cancelled: their leases run out
                    task.cancel()
                await asyncio.gather(stopping, *serving.values(), return_exceptions=True)

    async def _start_due(
        self,
        http: aiohttp.ClientSession,
        serving: dict[int, asyncio.Task[bool]],
        stop: asyncio.Event,
    ) -> None:
        """Lease the due endpoints that have no task in `serving`, and start one for each."""
        self._reap(serving)
        room = self._max_endpoints - len(serving)
        if room <= 0:
            return
        async with self._db.transaction() as session:
            claimed = await webhooks.claim(
                session,
                self.owner,
                now=self._clock(),
                lease=LEASE,
                limit=room,
                besides=(*serving, *self._troubles.waiting()),
            )
        for endpoint in claimed:
            serving[endpoint.id] = asyncio.create_task(self._serve(http, endpoint, stop))

    async def _pause(
        self, stopping: asyncio.Task[Any], serving: dict[int, asyncio.Task[bool]], seconds: float
    ) -> None:
        """Wait for the next round: `seconds`, or less when an endpoint's task
        that sent something ends (more may have come meanwhile for it), or
        until stopped. Ended tasks leave `serving`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not stopping.done():
            left = deadline - loop.time()
            if left <= 0:
                return
            await asyncio.wait(
                {stopping, *serving.values()}, timeout=left, return_when=asyncio.FIRST_COMPLETED
            )
            if self._reap(serving):
                return

    def _reap(self, serving: dict[int, asyncio.Task[bool]]) -> bool:
        """Take the ended tasks out of `serving`, keeping count of failures
        (an endpoint that failed waits before it is served again); whether one
        of them sent something."""
        sent = False
        for endpoint_id, task in list(serving.items()):
            if not task.done():
                continue
            del serving[endpoint_id]
            if task.cancelled():
                continue
            error, name = task.exception(), f"webhook {endpoint_id} deliveries"
            if isinstance(error, DatabaseUnavailable):  # not this endpoint's: every one's
                self._troubles.failed(ROUND, "webhook deliveries", error)
            elif error is not None:
                self._troubles.failed(endpoint_id, name, error)
            else:
                self._troubles.worked(endpoint_id, name)
                sent = sent or task.result()
        return sent

    async def _serve(
        self, http: aiohttp.ClientSession, endpoint: Endpoint, stop: asyncio.Event
    ) -> bool:
        """Send the endpoint's backlog until it is empty, fails, the lease runs
        short, or `stop` is set; whether anything was sent."""
        try:
            signer = Webhook(self._secrets.open(endpoint.secret))
        except ConfigError as error:
            # Kept for `consultbot webhooks list`; the log says it once (_reap,
            # Troubles), and it is tried again after the pause Troubles gives.
            pause = dt.timedelta(seconds=self._troubles.next_pause(endpoint.id))
            async with self._db.transaction() as session:
                await webhooks.failed(
                    session,
                    endpoint.id,
                    self.owner,
                    error=str(error),
                    retry_at=self._clock() + pause,
                    now=self._clock(),
                )
            raise
        position, sent_any = endpoint.position, False
        lease_until = self._clock() + LEASE
        while True:
            async with self._db.read() as session:  # no write lock on SQLite
                if not await webhooks.held(session, endpoint.id, self.owner):
                    return sent_any  # disabled meanwhile, or another deliverer took over
                events = await outbox.feed(
                    session, after_position=position, limit=BATCH, types=endpoint.events
                )
                sessions_of = await answers.sessions_of(session, answer_ids(events))
            if not events:
                async with self._db.transaction() as session:
                    await webhooks.release(session, endpoint.id, self.owner)
                return sent_any
            # A batch ends early rather than outlive the lease: a send begun
            # before this deadline ends (time-out) well before the lease does.
            deadline = lease_until - dt.timedelta(seconds=2 * self._timeout_s)
            delivered, outcome = await self._send_batch(
                http, endpoint.url, signer, events, sessions_of, stop, deadline
            )
            if delivered:
                position, sent_any = delivered[-1].position, True
                lease_until = self._clock() + LEASE
                async with self._db.transaction() as session:
                    kept = await webhooks.advance(
                        session,
                        endpoint.id,
                        self.owner,
                        position,
                        len(delivered),
                        lease_until=lease_until,
                    )
                    await outbox.mark_delivered(
                        session, [e.id for e in delivered], now=self._clock()
                    )
                if not kept:
                    return sent_any  # disabled meanwhile, or another deliverer took over
            if not outcome.sent:
                await self._failed(endpoint, outcome)
                return sent_any
            if stop.is_set() or lease_until - self._clock() < dt.timedelta(
                seconds=2 * self._timeout_s
            ):
                async with self._db.transaction() as session:
                    await webhooks.release(session, endpoint.id, self.owner)
                return sent_any

    async def _send_batch(
        self,
        http: aiohttp.ClientSession,
        url: str,
        signer: Webhook,
        events: list[FeedEvent],
        sessions_of: dict[int, int],
        stop: asyncio.Event,
        deadline: dt.datetime,
    ) -> tuple[list[FeedEvent], _Outcome]:
        """Send `events`, `in_flight` at a time, until `stop` is set or the
        `deadline` passed; those delivered (the events before the first failure:
        the endpoint's position moves past them only) and the last outcome. With
        more than one in flight, an event that succeeded after a failed one is
        sent again later (at least once)."""
        delivered: list[FeedEvent] = []
        outcome = _Outcome(sent=True)
        for start in range(0, len(events), self._in_flight):
            if stop.is_set() or (delivered and self._clock() >= deadline):
                break  # the first window always goes: each batch makes progress
            window = events[start : start + self._in_flight]
            if len(window) == 1:
                outcomes = [await self._send(http, url, signer, window[0], sessions_of)]
            else:
                outcomes = await asyncio.gather(
                    *(self._send(http, url, signer, event, sessions_of) for event in window)
                )
            for event, outcome in zip(window, outcomes, strict=True):
                if not outcome.sent:
                    return delivered, outcome
                delivered.append(event)
        return delivered, outcome

    async def _failed(self, endpoint: Endpoint, outcome: _Outcome) -> None:
        now = self._clock()
        async with self._db.transaction() as session:
            current = next(
                (e for e in await webhooks.all_endpoints(session) if e.id == endpoint.id), endpoint
            )
            if outcome.gone:
                reason = f"disabled: the endpoint answered 410 Gone ({now:%Y-%m-%d %H:%M} UTC)"
                await webhooks.disable(session, endpoint.id, self.owner, reason=reason)
            elif self._policy.gives_up(current.failing_since, now):
                reason = (
                    f"disabled after failing for 3 days ({outcome.error}); the backlog is "
                    f"kept: `consultbot webhooks enable {endpoint.id}` tries again"
                )
                await webhooks.disable(session, endpoint.id, self.owner, reason=reason)
            else:
                delay = self._policy.delay(current.attempts + 1, outcome.retry_after, now=now)
                await webhooks.failed(
                    session,
                    endpoint.id,
                    self.owner,
                    error=outcome.error,
                    retry_at=now + delay,
                    now=now,
                )
        log.warning("webhook %d (%s): %s", endpoint.id, endpoint.url, outcome.error)

    async def _send(
        self,
        http: aiohttp.ClientSession,
        url: str,
        signer: Webhook,
        event: FeedEvent,
        sessions_of: dict[int, int],
    ) -> _Outcome:
        public, unreadable = public_event(event, self._ids, sessions_of)
        if unreadable is not None:
            # Sent in its place: the endpoint's events after it keep coming.
            log.error(
                "webhook to %s: event %d (%s) cannot be read, sent as %s: %s",
                url,
                event.id,
                public["id"],
                EVENT_UNREADABLE,
                unreadable,
            )
        body = json.dumps(public, ensure_ascii=False, separators=(",", ":"))
        webhook_id: str = public["id"]
        moment = self._clock()
        headers = {
            "webhook-id": webhook_id,
            "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": signer.sign(webhook_id, moment, body),
            "content-type": "application/json",
            "user-agent": "consultbot-webhooks/1",
        }
        try:
            async with http.post(
                url,
                data=body.encode("utf-8"),
                headers=headers,
                allow_redirects=False,
                timeout=self._timeout,
            ) as response:
                status = response.status
                retry_after = response.headers.get("Retry-After")
                await response.read()
        except TimeoutError:
            return _Outcome(False, f"no answer within {self._timeout_s:g} s")
        except aiohttp.ClientSSLError as error:
            return _Outcome(False, f"TLS certificate refused: {error}")
        except aiohttp.ClientError as error:
            return _Outcome(False, f"cannot reach it: {error}")
        if 200 <= status < 300:
            return _Outcome(True)
        if status == 410:
            return _Outcome(False, "HTTP 410 Gone", gone=True)
        if 300 <= status < 400:
            return _Outcome(False, f"HTTP {status}: redirects are not followed; give its final URL")
        return _Outcome(False, f"HTTP {status}", retry_after)
