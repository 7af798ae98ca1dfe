"""The Telegram chat id, kept so that the bot can write first later (a reminder,
the results of a consultation), but never in clear.

Residents are identified in storage by a keyed hash of their Telegram user id (the
conversation service hashes it), which cannot be reversed. Writing to someone
needs their chat id (in private chats, the same number), so it is kept encrypted:
Fernet (AES-128-CBC + HMAC-SHA256, random IV, so two encryptions of one id differ
and cannot be linked) with the key of the purpose "telegram chat address"
(`bot.keys`: HKDF-SHA256 from `CONSULTBOT_SECRET_KEY`; this key serves nothing else).
Whoever reads the database without the environment's secret learns nothing; losing
the secret only loses the ability to write first, never the answers.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken

from bot.config import Settings
from bot.errors import UserError
from bot.keys import Keys


class AddressError(UserError):
    """A stored chat address cannot be read (tampered, or another secret key)."""


class ChatAddressCipher:
    def __init__(self, keys: Keys) -> None:
        key = keys.derive("telegram chat address")
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatAddressCipher:
        return cls(Keys.from_settings(settings))

    def encrypt(self, chat_id: int) -> str:
        return self._fernet.encrypt(str(chat_id).encode("ascii")).decode("ascii")

    def decrypt(self, address: str) -> int:
        try:
            plain = self._fernet.decrypt(address.encode("ascii"))
            return int(plain.decode("ascii"))
        except (InvalidToken, ValueError, UnicodeError):
            raise AddressError(
                "a stored Telegram chat address cannot be decrypted: it was altered or "
                "encrypted with another CONSULTBOT_SECRET_KEY"
            ) from None
