"""Opaque cursors: a position in a feed (storage.commit_order), written so that
clients treat it as a token, and read back strictly."""

from __future__ import annotations

import base64
import binascii
import re

from bot.api.errors import ApiError
from storage.commit_order import START, Position

_PREFIX = "c1_"
_BODY = re.compile(r"^([0-9]{1,19})\.([0-9]{1,19})$")
_LARGEST = 2**63 - 1  # positions are signed 64-bit integers in both databases


def encode(position: Position) -> str:
    raw = f"{position.txid}.{position.id}".encode("ascii")
    return _PREFIX + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode(cursor: str | None) -> Position:
    """The position a cursor names (the start if None); ApiError if malformed."""
    if cursor is None or cursor == "":
        return START
    if not cursor.startswith(_PREFIX) or len(cursor) > 64:
        raise _malformed()
    body = cursor[len(_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _malformed() from None
    match = _BODY.match(raw)
    if match is None:
        raise _malformed()
    txid, row_id = int(match.group(1)), int(match.group(2))
    # 19 digits go past a 64-bit integer, which the database would refuse to compare.
    if txid > _LARGEST or row_id > _LARGEST:
        raise _malformed()
    return Position(txid, row_id)


def _malformed() -> ApiError:
    return ApiError(
        400,
        "invalid_cursor",
        "the cursor is not one this API gave out: pass the next_cursor of a previous "
        "page unchanged, or leave `after` out to start from the beginning",
    )
