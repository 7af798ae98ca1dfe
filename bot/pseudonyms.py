"""Pseudonymise platform user ids: only a keyed hash is ever stored.

HMAC-SHA256 keyed with the deployment's pseudonym key (`bot.keys.Keys.pseudonyms`):
the same resident on the same channel always maps to the same pseudonym, yet
without the key nobody can tell which platform account it belongs to (a plain
hash of a Telegram id could be reversed by enumerating ids).
"""

from __future__ import annotations

import hashlib
import hmac


class Pseudonymizer:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def pseudonym(self, channel: str, user_id: str) -> str:
        message = f"{channel}\x00{user_id}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()
