"""Webhook signing secrets: made as Standard Webhooks `whsec_<base64>` strings,
shown once, and stored sealed (encrypted with a key derived from the
deployment's secret key), since signing needs the secret itself."""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken

from bot.errors import ConfigError

PREFIX = "whsec_"
SECRET_BYTES = 32  # Standard Webhooks: 24 to 64


class WebhookSecrets:
    def __init__(self, secret_key: bytes) -> None:
        derived = hashlib.sha256(b"consultbot webhook secrets\x00" + secret_key).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    @staticmethod
    def new() -> str:
        return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")

    def seal(self, secret: str) -> bytes:
        return self._fernet.encrypt(secret.encode("ascii"))

    def open(self, sealed: bytes) -> str:
        """The `whsec_` secret sealed in `sealed`; ConfigError, saying what to
        do, when it cannot sign (sealed under another key, or not a secret)."""
        try:
            opened = self._fernet.decrypt(sealed)
        except InvalidToken:
            raise ConfigError(
                "a webhook secret cannot be read: CONSULTBOT_SECRET_KEY changed since the "
                "webhook was added; add the webhook again (`consultbot webhooks add`)"
            ) from None
        if not _usable(opened):  # written by hand, or by something else than `add`
            raise ConfigError(
                "a webhook secret cannot be used: it is not a whsec_ value as "
                "`consultbot webhooks add` makes; add the webhook again (`consultbot webhooks add`)"
            )
        return opened.decode("ascii")


def _usable(opened: bytes) -> bool:
    """Whether `opened` is `whsec_` and base64 of some bytes: what signing needs."""
    if not opened.startswith(PREFIX.encode("ascii")):
        return False
    try:
        return bool(base64.b64decode(opened[len(PREFIX) :], validate=True))
    except binascii.Error:
        return False
