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


_LETTERS = bytes.maketrans(bytes(range(32)), _ALPHABET.encode())
# Per 64-bit slot: the bits that stay, the bits that move up, and how far; see letters_at_once.
_STEPS = (
    (0x00000000000FFFFF, 0x000000FFFFF00000, 12),
    (0x000003FF000003FF, 0x000FFC00000FFC00, 6),
    (0x001F001F001F001F, 0x03E003E003E003E0, 3),
)
_MASKS: dict[int, list[tuple[int, int, int]]] = {}


def letters_at_once(data: bytes) -> str:
    """`letters(data)` for long data (thousands of ids at once), in a few
    operations on one integer whatever the length rather than a Python step
    per 10 bits: each 5 bytes (40 bits, 8 letters) get a 64-bit slot, whose
    bits are moved apart (20 and 20, then 10 and 10, then 5 and 5) until each
    letter's 5 bits have a byte of their own, which `translate` makes a letter."""
    assert len(data) % 5 == 0, "base32 letters without padding need whole 5-byte groups"
    slots = len(data) // 5
    spread = bytearray(8 * slots)
    for byte in range(5):  # each 40 bits in the low end of its slot
        spread[3 + byte :: 8] = data[byte::5]
    value = int.from_bytes(spread, "big")
    for stay, move, shift in _masks(slots):
        value = (value & stay) | ((value & move) << shift)
    return value.to_bytes(8 * slots, "big").translate(_LETTERS).decode("ascii")


def _masks(slots: int) -> list[tuple[int, int, int]]:
    masks = _MASKS.get(slots)
    if masks is None:
        if len(_MASKS) >= 16:  # pages have one size, the last another
            _MASKS.clear()
        masks = _MASKS[slots] = [
            (_repeated(stay, slots), _repeated(move, slots), shift) for stay, move, shift in _STEPS
        ]
    return masks


def _repeated(mask: int, slots: int) -> int:
    return int.from_bytes(mask.to_bytes(8, "big") * slots, "big")
