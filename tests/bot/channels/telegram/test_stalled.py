"""A chat whose replies wait for a redelivery holds its later updates, for a
while only."""

import pytest

from bot.channels.telegram.sending import DeliveryFailed
from bot.channels.telegram.stalled import STALL_S, StalledChats


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_later_updates_of_the_chat_wait_for_the_one_not_delivered():
    stalled = StalledChats(Clock())
    stalled.failed(7, 100)
    stalled.check(7, 100)  # the redelivery itself goes through
    stalled.check(8, 101)  # another chat does not wait
    with pytest.raises(DeliveryFailed, match="update 100 of this chat"):
        stalled.check(7, 101)
    stalled.failed(7, 101)  # a later one failing too: still 100 first
    stalled.delivered(7, 101)
    with pytest.raises(DeliveryFailed):
        stalled.check(7, 102)
    stalled.delivered(7, 100)
    stalled.check(7, 102)


def test_an_update_never_delivered_again_stops_holding_its_chat():
    clock = Clock()
    stalled = StalledChats(clock)
    stalled.failed(7, 100)
    clock.now = STALL_S
    with pytest.raises(DeliveryFailed):
        stalled.check(7, 101)
    clock.now = STALL_S + 1
    stalled.check(7, 101)
    stalled.check(7, 102)  # forgotten
