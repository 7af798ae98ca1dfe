"""When the server may take messages: ready after start-up, draining on shutdown.

Channels wrap the handling of each inbound message in `async with
lifecycle.message():`; on SIGTERM the server stops taking new messages, waits for
the ones in flight to be committed and answered, and only then closes the
conversation service.
"""

from __future__ import annotations

import asyncio
from types import TracebackType


class Draining(Exception):
    """The server is shutting down and takes no new message; retry elsewhere or later."""


class Lifecycle:
    __slots__ = ("_idle", "_in_flight", "_message", "draining", "ready")

    def __init__(self) -> None:
        self.ready = False  # the conversation service is open
        self.draining = False  # shutdown began: no new message is accepted
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._message = _InFlight(self)  # one for all: nothing allocated per message

    @property
    def accepting(self) -> bool:
        return self.ready and not self.draining

    def message(self) -> _InFlight:
        """Count one inbound message as in flight until its replies are ready;
        raises Draining once shutdown began."""
        return self._message

    async def drain(self) -> None:
        """Refuse new messages and wait for those in flight (callers bound the
        wait with `asyncio.timeout`)."""
        self.draining = True
        await self._idle.wait()

    def _enter(self) -> None:
        if not self.accepting:
            raise Draining
        self._in_flight += 1
        self._idle.clear()

    def _exit(self) -> None:
        self._in_flight -= 1
        if self._in_flight == 0:
            self._idle.set()


class _InFlight:
    __slots__ = ("_lifecycle",)

    def __init__(self, lifecycle: Lifecycle) -> None:
        self._lifecycle = lifecycle

    async def __aenter__(self) -> None:
        self._lifecycle._enter()

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._lifecycle._exit()
