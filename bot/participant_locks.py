"""Serialise the messages of one participant inside this process.

Two messages of the same resident must never interleave (the second must see the
state the first left). Locks are created on demand and dropped when nobody
holds or waits for them, so memory follows the number of residents typing at
this very moment, not the number who ever did.
"""

from __future__ import annotations

import asyncio


class ParticipantLocks:
    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def hold(self, key: str) -> _Held:
        """`async with locks.hold(key):` the participant's messages, one at a time."""
        return _Held(self._locks, key)

    def __len__(self) -> int:
        return len(self._locks)


class _Held:
    # A class rather than a generator: it runs for every message.
    __slots__ = ("_key", "_locks")

    def __init__(self, locks: dict[str, tuple[asyncio.Lock, int]], key: str) -> None:
        self._locks = locks
        self._key = key

    async def __aenter__(self) -> None:
        lock, users = self._locks.get(self._key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[self._key] = (lock, users + 1)
        try:
            await lock.acquire()
        except BaseException:  # cancelled while waiting: no longer a user
            self._leave()
            raise

    async def __aexit__(self, *_: object) -> None:
        self._locks[self._key][0].release()
        self._leave()

    def _leave(self) -> None:
        lock, users = self._locks[self._key]
        if users == 1:
            del self._locks[self._key]
        else:
            self._locks[self._key] = (lock, users - 1)
