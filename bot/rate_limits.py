"""Rate limits that hold for the whole deployment: one interface, two ways.

    limiter = rate_limiter(database, per_minute=600, burst=120)
    wait = await limiter.take("api:7")   # None: go ahead; else seconds to wait

On PostgreSQL, where several processes and machines serve one database
(`serve --workers N`, machines behind a proxy), every process counts in the
same row (storage.rate_limits): a client spreading its requests over the
processes gets the deployment's limit, not N times it. On SQLite one process
serves (`--workers` > 1 is refused there), so the count stays in its memory and
costs no statement. Both are the same token bucket: `per_minute` requests a
minute, in bursts of up to `burst`.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Protocol

from storage import rate_limits
from storage.database import Database

PRUNE_EVERY_S: Final = 60.0  # how often a process deletes the full allowances


class RateLimiter(Protocol):
    async def take(self, key: str) -> float | None:
        """Count one request against `key`: None if it may go, else the
        seconds until one may (nothing counted). StorageError if the shared
        count cannot be reached."""
        ...


def rate_limiter(database: Database, per_minute: int, burst: int) -> RateLimiter:
    """The limiter for this database: shared on PostgreSQL, in memory on SQLite."""
    if database.backend == "postgresql":
        return SharedRateLimiter(database, per_minute, burst)
    return LocalRateLimiter(per_minute, burst)


def retry_after(wait: float) -> int:
    """Whole seconds for a Retry-After header: never 0, which means "now"."""
    return max(1, math.ceil(wait))


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class LocalRateLimiter:
    """A token bucket per key, in this process's memory."""

    def __init__(
        self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    async def take(self, key: str) -> float | None:
        now = self._clock()
        bucket = self._buckets.setdefault(key, _Bucket(self._burst, now))
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.at) * self._rate)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return (1.0 - bucket.tokens) / self._rate


class SharedRateLimiter:
    """The same bucket kept in the database, one statement per request."""

    def __init__(
        self,
        database: Database,
        per_minute: int,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._database = database
        self._interval = dt.timedelta(minutes=1) / per_minute
        self._tolerance = self._interval * (burst - 1)
        self._clock = clock
        self._pruned_at = clock()

    async def take(self, key: str) -> float | None:
        decision = await rate_limits.take(
            self._database, key, interval=self._interval, tolerance=self._tolerance
        )
        if self._clock() - self._pruned_at >= PRUNE_EVERY_S:
            # Each process prunes now and then: a second statement once a minute.
            self._pruned_at = self._clock()
            await rate_limits.prune(self._database)
        return None if decision.granted else decision.wait_s
