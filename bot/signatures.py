"""Signed values: the one implementation behind the web chat's participant
tokens and the data of Telegram buttons.

A signature is HMAC-SHA256 of the value under a key derived for its purpose
(`bot.keys`), base64url, cut to a length the carrier allows (Telegram's button
data holds 64 bytes in all, so its signatures are short; a participant token
has room for 22 characters, 132 bits). Checking compares in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


class Signer:
    __slots__ = ("_chars", "_key")

    def __init__(self, key: bytes, chars: int) -> None:
        if not 8 <= chars <= 43:  # 43 characters hold the whole 256-bit digest
            raise ValueError(f"a signature has 8 to 43 characters, not {chars}")
        self._key = key
        self._chars = chars

    def sign(self, value: str) -> str:
        digest = hmac.new(self._key, value.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii")[: self._chars]

    def valid(self, signature: str, value: str) -> bool:
        return hmac.compare_digest(signature.encode(), self.sign(value).encode())
