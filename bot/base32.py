"""Lowercase base32 letters (RFC 4648's alphabet) of a number, written out for
the hot paths: the step stamped in every message's buttons, the public ids of
the feeds (thousands a page). Two letters per table look-up, where the
standard library's encoder loops over every five bits in Python."""

from __future__ import annotations

_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
_PAIRS = tuple(first + second for first in _ALPHABET for second in _ALPHABET)  # per 10 bits


def letters(data: bytes) -> str:
    """The lowercase base32 encoding of `data`, whose length is a multiple of
    five bytes (so, no padding): `base64.b32encode(data).decode().lower()`."""
    assert len(data) % 5 == 0, "base32 letters without padding need whole 5-byte groups"
    value = int.from_bytes(data, "big")
    return "".join(
        [_PAIRS[(value >> shift) & 1023] for shift in range(len(data) * 8 - 10, -1, -10)]
    )
