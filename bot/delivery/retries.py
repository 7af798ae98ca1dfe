"""When to try a failed delivery again: exponential backoff with jitter, a
`Retry-After` honoured, and giving up after three days of failures."""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    first_delay: dt.timedelta = dt.timedelta(seconds=5)
    longest_delay: dt.timedelta = dt.timedelta(hours=6)
    give_up_after: dt.timedelta = dt.timedelta(days=3)
    longest_retry_after: dt.timedelta = dt.timedelta(days=1)

    def delay(
        self,
        attempts: int,
        retry_after: str | None = None,
        *,
        now: dt.datetime,
        jitter: Callable[[], float] = random.random,
    ) -> dt.timedelta:
        """How long to wait after the `attempts`-th failed attempt (1, 2, ...):
        the endpoint's Retry-After if it gave one, else 5 s, 10 s, 20 s, ...
        up to 6 h, each between half and all of that."""
        asked = _retry_after(retry_after, now)
        if asked is not None:
            return min(asked, self.longest_retry_after)
        exponential = self.first_delay * (2 ** min(max(attempts - 1, 0), 30))
        seconds = min(exponential, self.longest_delay).total_seconds()
        return dt.timedelta(seconds=seconds * (0.5 + 0.5 * jitter()))

    def gives_up(self, failing_since: dt.datetime | None, now: dt.datetime) -> bool:
        return failing_since is not None and now - failing_since >= self.give_up_after


def _retry_after(value: str | None, now: dt.datetime) -> dt.timedelta | None:
    """Retry-After as seconds or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # not "²", which int() refuses
        # Past 9 digits (31 years) it is capped anyway: int() and timedelta
        # would refuse a figure long enough.
        return dt.timedelta(seconds=int(value) if len(value) <= 9 else 10**9)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(when - now, dt.timedelta(0))
