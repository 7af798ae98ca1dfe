"""Pseudonymise platform user ids: only a keyed hash is ever stored.

HMAC-SHA256 keyed with the deployment's pseudonym key (`bot.keys.Keys.pseudonyms`):
the same resident on the same channel always maps to the same pseudonym, yet
without the key nobody can tell which platform account it belongs to (a plain
hash of a Telegram id could be reversed by enumerating ids).

The other keyed hashes of the conversation service (erasure receipts, digests
of message ids) use keys of their own purposes (`bot.keys`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from bot.base32 import letters, letters_at_once
from bot.keys import Keys


class Pseudonymizer:
    def __init__(self, keys: Keys) -> None:
        # Keyed once: every message needs a pseudonym, the feeds thousands of ids.
        self._key = _Hmac(keys.pseudonyms)
        self._engine = self._public = _Hmac(keys.derive("engine feed"))
        self._receipts = _Hmac(keys.derive("erasure receipt"))
        self._messages = _Hmac(keys.derive("message digest"))
        self._contribution_receipts = _Hmac(keys.derive("contribution receipt"))

    def pseudonym(self, channel: str, user_id: str) -> str:
        return self._key.digest(f"{channel}\x00{user_id}".encode()).hex()

    def erasure_receipt(self, channel: str, user_hash: str, message_id: str) -> str:
        """The keyed hash that marks a message as one that erased a resident's
        data: it tells a retry of that message apart and nothing else."""
        return _digest(self._receipts, channel, user_hash, message_id)

    def message_digest(self, channel: str, user_hash: str, message_id: str) -> str:
        """A keyed hash of a message id, to tell a retry of a message before
        consent apart from a new message without keeping the id."""
        return _digest(self._messages, channel, user_hash, message_id)[:32]

    def in_consultation(self, consultation_id: str, user_hash: str) -> str:
        """The resident as one consultation's engine knows them: keyed by the
        consultation, so that two consultations' pseudonyms cannot be linked."""
        return "p_" + _digest(self._engine, "consultation", consultation_id, user_hash)[:32]

    def contribution_digest(self, session_id: int) -> bytes:
        """A keyed hash of a completed session, from which its receipt code is
        written (bot.receipts)."""
        return self._contribution_receipts.digest(f"receipt\x00{session_id}".encode())

    def public_id(self, kind: str, number: int) -> str:
        """A stable opaque id (e.g. of a contribution) that reveals no row number:
        the lowercase base32 of the first 15 bytes of a keyed hash. Written out
        (one-shot HMAC, two base32 letters per 10 bits) as the feeds make
        thousands a page."""
        message = f"public\x00{kind}\x00{number}".encode()
        return f"{kind}_" + letters(self._public.digest(message)[:15])

    def public_ids(self, kind: str, numbers: Sequence[int]) -> list[str]:
        """`public_id` of each number, written out for all at once (an export
        makes hundreds of thousands: this takes a third of the time)."""
        prefix = f"public\x00{kind}\x00".encode()
        digest = self._public.digest
        written = letters_at_once(b"".join([digest(prefix + b"%d" % n)[:15] for n in numbers]))
        head = f"{kind}_"
        return [head + written[at : at + 24] for at in range(0, len(written), 24)]


def _digest(key: _Hmac, *parts: str) -> str:
    return key.digest("\x00".join(parts).encode()).hex()


class _Hmac:
    """HMAC-SHA256 (RFC 2104) with one key: the key's inner and outer hash
    states are computed once and copied for each message, a third of the
    cost of `hmac.digest`, which keys both again every time."""

    def __init__(self, key: bytes) -> None:
        if len(key) > _BLOCK:
            key = hashlib.sha256(key).digest()
        key = key.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def digest(self, message: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()


_BLOCK = 64  # SHA-256's block size, in bytes
