"""Participant tokens: signed, with a lifetime that starts again at each use."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.channels.webchat_access import ParticipantTokens
from bot.keys import Keys

DAY = 86400.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tokens(clock: Clock) -> ParticipantTokens:
    return ParticipantTokens(Keys(b"a key"), lifetime=dt.timedelta(days=7), clock=clock)


def test_a_token_names_its_participant_until_it_expires(tokens, clock):
    token = tokens.issue()
    participant = tokens.verify(token)
    assert participant is not None
    assert token.startswith(participant + ".")
    clock.now += 7 * DAY
    assert tokens.verify(token) == participant
    clock.now += 1
    assert tokens.verify(token) is None


def test_a_token_renewed_on_use_outlives_the_first(tokens, clock):
    first = tokens.issue()
    participant = tokens.verify(first)
    clock.now += 6 * DAY
    renewed = tokens.issue(participant)
    clock.now += 6 * DAY
    assert tokens.verify(first) is None
    assert tokens.verify(renewed) == participant


@pytest.mark.parametrize(
    "token",
    [None, 42, "", ".", "..", "abc.é", "abc.123.é", "é" * 10, "a" * 101, "abc", "abc.def"],
)
def test_anything_else_is_no_token(tokens, token):
    assert tokens.verify(token) is None


def test_a_changed_id_or_time_breaks_the_signature(tokens):
    raw, issued, mac = tokens.issue().split(".")
    assert tokens.verify(f"{raw}x.{issued}.{mac}") is None
    assert tokens.verify(f"{raw}.{int(issued) + 1}.{mac}") is None
    assert ParticipantTokens(Keys(b"another key")).verify(f"{raw}.{issued}.{mac}") is None
