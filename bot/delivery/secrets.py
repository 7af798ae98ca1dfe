"""Webhook signing secrets: made as Standard Webhooks `whsec_<base64>` strings,
shown once, and stored sealed (encrypted with a key derived from the
deployment's secret key), since signing needs the secret itself."""

from __future__ import annotations

import base64
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
        try:
            return self._fernet.decrypt(sealed).decode("ascii")
        except InvalidToken:
            raise ConfigError(
                "a webhook secret cannot be read: CONSULTBOT_SECRET_KEY changed since the "
                "webhook was added; add the webhook again (`consultbot webhooks add`)"
            ) from None
