"""What keeps failing in the deliverer, said once: one log line when a part
starts failing (a traceback once, for an error nobody named; a user error,
such as an endpoint's secret that cannot be used, in its own words), none while it
goes on failing, one when it works again; meanwhile it is tried again after
pauses that double, up to a ceiling. A part is an endpoint (its id), so one
that fails holds up no other, or None: the deliverer's round (the database)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.errors import UserError
from storage.errors import StorageError

log = logging.getLogger("bot.delivery.deliverer")  # where operators look for the deliverer


@dataclass(frozen=True, slots=True)
class _Failing:
    since: float
    tries: int
    retry_at: float


class Troubles:
    def __init__(
        self,
        *,
        first_pause_s: float,
        longest_pause_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._first = first_pause_s
        self._longest = max(longest_pause_s, first_pause_s)
        self._clock = clock
        self._failing: dict[int | None, _Failing] = {}

    def failed(self, part: int | None, name: str, error: BaseException) -> float:
        """`part` (called `name` in the log) failed with `error`; the seconds
        until it is tried again."""
        now = self._clock()
        before = self._failing.get(part)
        tries = 1 if before is None else before.tries + 1
        pause = self._pause(tries)
        self._failing[part] = _Failing(now if before is None else before.since, tries, now + pause)
        if before is None:
            self._started(name, error)
        return pause

    def next_pause(self, part: int | None) -> float:
        """The seconds `failed` would give `part` if it failed now."""
        before = self._failing.get(part)
        return self._pause(1 if before is None else before.tries + 1)

    def _pause(self, tries: int) -> float:
        return min(self._first * 2.0 ** min(tries - 1, 30), self._longest)

    def _started(self, name: str, error: BaseException) -> None:
        every = f"tried again at growing intervals, up to every {self._longest:g} s"
        # Their words say what to do: no traceback. The operator's to mend is an error.
        if isinstance(error, UserError):
            log.error("%s paused: %s; %s", name, error, every)
        elif isinstance(error, StorageError):
            log.warning("%s paused: %s; %s", name, error, every)
        else:
            log.error("%s failed; %s", name, every, exc_info=error)

    def worked(self, part: int | None, name: str) -> None:
        """`part` worked: if it was failing, say that it works again."""
        before = self._failing.pop(part, None)
        if before is not None:
            tries = "1 try" if before.tries == 1 else f"{before.tries} tries"
            log.warning(
                "%s resumed after failing for %.0f s (%s)",
                name,
                self._clock() - before.since,
                tries,
            )

    def wait(self, part: int | None) -> float:
        """Seconds until `part` may be tried again (0 if it is not failing)."""
        failing = self._failing.get(part)
        return 0.0 if failing is None else max(failing.retry_at - self._clock(), 0.0)

    def waiting(self) -> tuple[int, ...]:
        """The endpoints that may not be tried yet."""
        now = self._clock()
        return tuple(p for p, f in self._failing.items() if p is not None and f.retry_at > now)
