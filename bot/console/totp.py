"""One-time codes (TOTP, RFC 6238) as a second factor for console accounts.
The shared secret is stored encrypted: Fernet with a key derived by
HKDF-SHA256 from the deployment's secret key (info "consultbot console totp")."""

from __future__ import annotations

import base64

import pyotp
from cryptography.fernet import Fernet, InvalidToken

from bot.errors import UserError
from bot.keys import Keys

ISSUER = "consultbot"


class TotpUnreadable(UserError):
    """A stored TOTP secret cannot be decrypted (another secret key?)."""


class TotpCipher:
    def __init__(self, keys: Keys) -> None:
        key = keys.derive("console totp")  # HKDF, info "consultbot console totp"
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, secret: str) -> bytes:
        return self._fernet.encrypt(secret.encode("ascii"))

    def open(self, sealed: bytes) -> str:
        try:
            return self._fernet.decrypt(sealed).decode("ascii")
        except (InvalidToken, UnicodeError):
            raise TotpUnreadable(
                "a one-time code secret cannot be decrypted: it was encrypted with another "
                "CONSULTBOT_SECRET_KEY; reset the account's second factor "
                "(consultbot users reset EMAIL --2fa)"
            ) from None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    """What an authenticator app reads (as text or a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def code_matches(secret: str, code: str) -> bool:
    """Whether `code` is the current code (or the one just before or after)."""
    code = "".join(code.split())
    return len(code) == 6 and code.isdigit() and pyotp.TOTP(secret).verify(code, valid_window=1)
