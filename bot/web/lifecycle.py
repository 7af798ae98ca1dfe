"""When the server may take messages: ready after start-up, draining on shutdown.

Channels wrap the handling of each inbound message in `Lifecycle.message()`; on
SIGTERM the server stops taking new messages, waits for the ones in flight to be
committed and answered, and only then closes the conversation service.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Draining(Exception):
    """The server is shutting down and takes no new message; retry elsewhere or later."""


class Lifecycle:
    __slots__ = ("_idle", "_in_flight", "draining", "ready")

    def __init__(self) -> None:
        self.ready = False  # the conversation service is open
        self.draining = False  # shutdown began: no new message is accepted
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def accepting(self) -> bool:
        return self.ready and not self.draining

    @asynccontextmanager
    async def message(self) -> AsyncIterator[None]:
        """Count one inbound message as in flight until its replies are ready."""
        if not self.accepting:
            raise Draining
        self._in_flight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def drain(self) -> None:
        """Refuse new messages and wait for those in flight (callers bound the
        wait with `asyncio.timeout`)."""
        self.draining = True
        await self._idle.wait()
