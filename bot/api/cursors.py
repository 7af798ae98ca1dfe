"""Opaque cursors: a position in a feed (storage.commit_order), written so that
clients treat it as a token, and read back strictly.

A cursor names the feed that gave it out (a short digest of its name: the
events, or one consultation's contributions): positions of two feeds are
numbers of different tables, so a cursor passed to another feed would skip or
repeat rows without a word; it is refused instead. Cursors given out before
(`c1_`, without their feed) are still read, by any feed, as they always were.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

from bot.api.errors import ApiError
from storage.commit_order import START, Position

_PREFIX = "c2_"
_UNNAMED = "c1_"  # given out before cursors named their feed
_BODY = re.compile(r"^([0-9]{1,19})\.([0-9]{1,19})(?:\.([0-9a-f]{8}))?$")
_LARGEST = 2**63 - 1  # positions are signed 64-bit integers in both databases
_LONGEST = 96


def encode(position: Position, feed: str) -> str:
    raw = f"{position.txid}.{position.id}.{_tag(feed)}".encode("ascii")
    return _PREFIX + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode(cursor: str | None, feed: str) -> Position:
    """The position a cursor of `feed` names (the start if None); ApiError if
    malformed or given out by another feed."""
    if cursor is None or cursor == "":
        return START
    prefix = cursor[: len(_PREFIX)]
    if prefix not in (_PREFIX, _UNNAMED) or len(cursor) > _LONGEST:
        raise _malformed()
    body = cursor[len(_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _malformed() from None
    match = _BODY.match(raw)
    # A feed's name in every cursor of the new kind, in none of the old.
    if match is None or (match.group(3) is None) != (prefix == _UNNAMED):
        raise _malformed()
    if match.group(3) is not None and match.group(3) != _tag(feed):
        raise ApiError(
            400,
            "invalid_cursor",
            "this cursor was given out by another feed (another route, or another "
            "consultation's contributions): pass the next_cursor of this feed's own pages, "
            "or leave `after` out to start from the beginning",
        )
    txid, row_id = int(match.group(1)), int(match.group(2))
    # 19 digits go past a 64-bit integer, which the database would refuse to compare.
    if txid > _LARGEST or row_id > _LARGEST:
        raise _malformed()
    return Position(txid, row_id)


def _tag(feed: str) -> str:
    return hashlib.sha256(feed.encode("utf-8")).hexdigest()[:8]


def _malformed() -> ApiError:
    return ApiError(
        400,
        "invalid_cursor",
        "the cursor is not one this API gave out: pass the next_cursor of a previous "
        "page unchanged, or leave `after` out to start from the beginning",
    )
