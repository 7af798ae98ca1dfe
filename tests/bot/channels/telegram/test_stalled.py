"""A chat's updates wait behind one whose replies were not delivered, and are
handled in order once Telegram takes replies again: none is skipped."""

import pytest
from telegram import Update

from bot.channels.telegram.sending import DeliveryFailed
from bot.channels.telegram.stalled import StalledChats


class Handler:
    """Handles updates, failing to deliver the replies of those in `failing`."""

    def __init__(self) -> None:
        self.failing: set[int] = set()
        self.broken: set[int] = set()
        self.handled: list[int] = []

    async def __call__(self, update: Update) -> None:
        if update.update_id in self.broken:
            raise RuntimeError("a bug")
        if update.update_id in self.failing:
            raise DeliveryFailed("sendMessage: no success after 5 attempts")
        self.handled.append(update.update_id)


async def test_later_updates_wait_for_the_first_and_none_is_skipped():
    stalled, handler = StalledChats(), Handler()
    handler.failing = {100}
    stalled.hold(7, Update(100))
    assert not await stalled.catch_up(7, handler, 100)
    stalled.hold(7, Update(101))
    stalled.hold(8, Update(102))  # another chat does not wait
    assert await stalled.catch_up(8, handler, 102)
    assert not await stalled.catch_up(7, handler, 101)  # 100 first
    stalled.hold(7, Update(100))  # delivered again: kept once, in its place
    assert [u.update_id for u in stalled.waiting(7)] == [100, 101]
    assert handler.handled == [102]
    handler.failing.clear()  # Telegram takes replies again
    assert await stalled.catch_up(7, handler)
    assert handler.handled == [102, 100, 101]
    assert stalled.count() == 0
    assert stalled.chats() == []


async def test_an_update_that_fails_otherwise_is_dropped_not_held(caplog):
    stalled, handler = StalledChats(), Handler()
    handler.broken = {100, 102}
    for update_id in (100, 101, 102):
        stalled.hold(7, Update(update_id))
    with pytest.raises(RuntimeError):
        await stalled.catch_up(7, handler, 102)
    assert "update 100 failed: RuntimeError" in caplog.text
    assert handler.handled == [101]
    assert stalled.waiting(7) == []
