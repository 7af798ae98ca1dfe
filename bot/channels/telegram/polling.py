"""Long polling (getUpdates) that neither loses nor wedges on an update.

Why not PTB's Updater: it confirms a batch when fetching the next one, whatever
became of the first (a crash loses it), and it parses a batch as a whole, so one
update PTB cannot parse (a Bot API newer than PTB, a malformed object) fails every
later fetch of the batch and the bot goes deaf. Here:
- each update is parsed alone; one that cannot be is logged and skipped;
- a batch is processed (chats concurrently, each chat in order) BEFORE its
  updates are confirmed by the next `offset`: a crash means redelivery, which the
  channel and the conversation service deduplicate;
- an update whose replies Telegram did not take (the channel raises
  `DeliveryFailed`: the answer is stored, the reply kept with its claim) is not
  confirmed: the next fetch, after a backoff, gets it again and the channel sends
  the kept replies; after `MAX_REDELIVERIES` fetches it is confirmed (logged), so
  as not to hold up every other chat any longer: the channel keeps it, and its
  chat's later updates, in memory (`stalled`), and `retry` (the channel's
  `retry_held`) tries them again after each batch none of whose updates wait,
  so the resident gets what they were owed without writing again;
- errors back off (bounded); 429 waits `retry_after`; a refused token (401,
  404: revoked in @BotFather, or a wrong `api_base_url`) is logged once with what
  to do, reported as `problem` (`/readyz` answers 503 `telegram_token_refused`),
  and tried again every `refused_wait` seconds: a token put right is taken again;
- with several processes (`--workers`, several machines), one polls: the one
  holding the deployment's polling lock (storage.sole_holder), asked for before
  each fetch; the others stand by and one takes over within `standby` seconds
  of the poller's death. Updates it fetched and did not confirm come again to
  the new poller, and are deduplicated as any redelivery.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout
from telegram import Bot, Update

from bot.channels.telegram.sending import DeliveryFailed
from storage.sole_holder import SoleHolder

log = logging.getLogger(__name__)

MAX_BACKOFF = 30.0
MAX_REDELIVERIES = 20  # fetches of an update whose replies are not delivered (~10 min)
STANDBY = 2.0  # seconds between a standing-by process's asks for the polling lock


class Poller:
    def __init__(
        self,
        bot: Bot,
        process: Callable[[Update], Awaitable[None]],
        *,
        allowed_updates: tuple[str, ...],
        timeout: float = 10.0,
        sole: SoleHolder | None = None,
        standby: float = STANDBY,
        backoff: float = 0.5,
        refused_wait: float = MAX_BACKOFF,
        retry: Callable[[], Coroutine[Any, Any, None]] | None = None,
    ) -> None:
        self.bot = bot
        self.sole = sole  # None: this process is the only one
        self.standby = standby
        self._polling: bool | None = None  # for the log: whether we poll or stand by
        self.process = process
        self.allowed_updates = allowed_updates
        self.timeout = timeout
        self.offset = 0
        self.backoff = backoff  # seconds, doubling, after a failed fetch or delivery
        self.refused_wait = refused_wait  # seconds between fetches while the token is refused
        self._undelivered: tuple[int, int] | None = None  # (update id, fetches)
        self.retry = retry
        self._retrying: asyncio.Task[None] | None = None
        self.problem: str | None = None  # why the bot gets no updates, for /readyz
        self._task: asyncio.Task[None] | None = None
        self._fetching = False
        self._pausing = False  # waiting between attempts: nothing in flight
        self._stopping = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="telegram-polling")

    async def stop(self) -> None:
        """Finish the batch in progress (its answers are committed), then stop."""
        self._stopping = True
        if self._task is None:
            return
        if self._fetching or self._pausing or not self._polling:
            self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        if self._retrying is not None:
            await asyncio.gather(self._retrying, return_exceptions=True)
        if self.sole is not None:
            await self.sole.release()

    async def _run(self) -> None:
        failures = 0
        url = f"{self.bot.base_url}/getUpdates"
        timeout = ClientTimeout(total=self.timeout + 30)
        async with ClientSession(timeout=timeout) as http:
            while not self._stopping:
                if not await self._ours():
                    await asyncio.sleep(self.standby)
                    continue
                self._fetching = True
                try:
                    batch, wait = await self._fetch(http, url)
                finally:
                    self._fetching = False
                if batch is None:
                    failures += 1
                    await self._pause(wait or min(self.backoff * 2**failures, MAX_BACKOFF))
                    continue
                if self.problem is not None:
                    log.warning("telegram: the Bot API takes the token again; polling")
                    self.problem = None
                failures = 0
                undelivered = await self._process(batch)
                if undelivered:  # Telegram is failing: fetch it again a little later
                    await self._pause(min(self.backoff * 2**undelivered, MAX_BACKOFF))
                else:
                    self._retry_held()

    def _retry_held(self) -> None:
        """Telegram took this batch's replies: the updates the channel still
        keeps are tried again, aside, so that a slow retry holds up no fetch."""
        if self.retry is not None and (self._retrying is None or self._retrying.done()):
            self._retrying = asyncio.create_task(self.retry(), name="telegram-retry-held")

    async def _pause(self, seconds: float) -> None:
        self._pausing = True
        try:
            await asyncio.sleep(seconds)
        finally:
            self._pausing = False

    async def _ours(self) -> bool:
        """Whether this process polls now (it holds the polling lock)."""
        if self.sole is None:
            return True
        polling = await self.sole.held()
        if polling != self._polling:
            log.info(
                "telegram: %s",
                "this process polls" if polling else "another process polls; standing by",
            )
            self._polling = polling
        return polling

    async def _fetch(self, http: ClientSession, url: str) -> tuple[list[Any] | None, float]:
        """(updates, 0) or (None, seconds to wait: 0 for the backoff)."""
        body = {
            "offset": self.offset,
            "timeout": int(self.timeout),
            "allowed_updates": list(self.allowed_updates),
        }
        try:
            async with http.post(url, json=body) as response:
                status = response.status
                payload = json.loads(await response.read())
        except (ClientError, TimeoutError, ValueError) as error:
            log.warning("telegram: getUpdates failed (%s)", type(error).__name__)
            return None, 0
        if status == 200 and isinstance(payload, dict) and isinstance(payload.get("result"), list):
            return payload["result"], 0
        description = payload.get("description") if isinstance(payload, dict) else None
        if status in (401, 404):
            if self.problem is None:
                log.error(
                    "telegram: the Bot API refused the token (getUpdates answered %s): "
                    "residents get no replies; check CONSULTBOT_TELEGRAM__BOT_TOKEN (revoked "
                    "in @BotFather?) and telegram.api_base_url, then restart; /readyz says "
                    "telegram_token_refused; trying again every %.0f s",
                    status,
                    self.refused_wait,
                )
            self.problem = "telegram_token_refused"
            return None, self.refused_wait
        if status == 429:
            parameters = payload.get("parameters") or {}
            return None, float(parameters.get("retry_after", 1))
        if status == 409:
            log.warning("telegram: getUpdates conflict (%s)", description)
        else:
            log.warning("telegram: getUpdates answered %s (%s)", status, description)
        return None, 0

    async def _process(self, batch: list[Any]) -> int:
        """Process a batch; the offset then confirms it, up to the first update
        whose replies were not delivered. Returns how many times that one was
        fetched (0: all delivered)."""
        updates: list[Update] = []
        for raw in batch:
            update_id = raw.get("update_id") if isinstance(raw, dict) else None
            if not isinstance(update_id, int):
                log.warning("telegram: an update without update_id skipped")
                continue
            self.offset = max(self.offset, update_id + 1)
            try:
                updates.append(Update.de_json(raw, self.bot))
            except Exception as error:  # PTB raises many types on objects it cannot read
                log.warning(
                    "telegram: update %s cannot be read (%s), skipped",
                    update_id,
                    type(error).__name__,
                )
        results = await asyncio.gather(
            *(self.process(update) for update in updates), return_exceptions=True
        )
        undelivered: list[int] = []
        for update, result in zip(updates, results, strict=True):
            if isinstance(result, DeliveryFailed):
                undelivered.append(update.update_id)
            elif isinstance(result, BaseException):
                log.error("telegram: update %s failed: %s", update.update_id, type(result).__name__)
        if not undelivered:
            self._undelivered = None
            return 0
        first = min(undelivered)
        fetches = (
            self._undelivered[1] + 1 if self._undelivered and self._undelivered[0] == first else 1
        )
        if fetches >= MAX_REDELIVERIES:
            log.error(
                "telegram: update %s: replies still not delivered after %d fetches; "
                "no longer fetched: this process keeps it with its chat's later updates, "
                "and sends the replies when Telegram takes them (lost if it stops first)",
                first,
                fetches,
            )
            self._undelivered = None
            return 0
        self._undelivered = (first, fetches)
        self.offset = first  # not confirmed: Telegram sends it (and those after) again
        return fetches
