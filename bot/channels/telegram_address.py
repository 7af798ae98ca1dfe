"""The Telegram chat id, kept so that the bot can write first later (a reminder,
the results of a consultation), but never in clear.

Residents are identified in storage by a keyed hash of their Telegram user id (the
conversation service hashes it), which cannot be reversed. Writing to someone
needs their chat id (in private chats, the same number), so it is kept encrypted:
Fernet (AES-128-CBC + HMAC-SHA256, random IV, so two encryptions of one id differ
and cannot be linked) with a key derived by HKDF-SHA256 from `CONSULTBOT_SECRET_KEY`
(info "consultbot telegram chat address": this key serves nothing else).
Whoever reads the database without the environment's secret learns nothing; losing
the secret only loses the ability to write first, never the answers.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.config import Settings
from bot.errors import UserError
from bot.pseudonyms import resolve_secret_key

_INFO = b"consultbot telegram chat address"


class AddressError(UserError):
    """A stored chat address cannot be read (tampered, or another secret key)."""


class ChatAddressCipher:
    def __init__(self, secret_key: bytes) -> None:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
            secret_key
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatAddressCipher:
        """Keyed by the deployment's secret key (`bot.pseudonyms.resolve_secret_key`)."""
        return cls(resolve_secret_key(settings))

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
