"""The deployment's one secret (`CONSULTBOT_SECRET_KEY`) and the keys derived from it.

Every key the bot uses comes from that secret, one key per named purpose, by
HKDF-SHA256 (RFC 5869, no salt, `info` = "consultbot " + the purpose): a key
serves one purpose only, and knowing one derived key tells nothing about the
secret or the other keys.

| purpose                        | used by                                            |
|--------------------------------|----------------------------------------------------|
| `web chat participant token`   | signing the web chat's participant tokens          |
| `telegram callback data`       | signing the data of Telegram buttons               |
| `telegram chat address`        | encrypting stored Telegram chat ids (Fernet)       |
| `erasure receipt`              | keyed hashes of the messages that erased data      |
| `message digest`               | keyed hashes of message ids before consent         |
| `console totp`                 | encrypting moderators' one-time-code secrets       |
| `engine feed`                  | pseudonyms and public ids in the engine's feeds    |
| `contribution receipt`         | the codes residents follow their contributions by  |
| pseudonyms (the secret itself) | the keyed hash of platform user ids (`pseudonyms`) |

The pseudonyms are the one exception: they are keyed by the secret itself, as
they were before this derivation existed, because every stored participant is
found by its pseudonym; deriving their key would orphan them all. No other key
is, or may be, the secret itself.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.errors import ConfigError

KEY_ENV = "CONSULTBOT_SECRET_KEY"
# Refused below this (the README says the same). Not raised: the key cannot be
# changed once residents are pseudonymised under it (every stored participant
# would be orphaned), so a deployment with a key this long must keep starting.
MIN_KEY_LENGTH = 16
# How to make one: 32 random bytes, 43 characters.
KEY_ADVICE = "e.g. the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
KEY_BYTES = 32

Purpose = Literal[
    "web chat participant token",
    "telegram callback data",
    "telegram chat address",
    "erasure receipt",
    "message digest",
    "console totp",
    "engine feed",
    "contribution receipt",
]


class Keys:
    """The keys of one deployment, all from its secret."""

    __slots__ = ("_secret",)

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    @classmethod
    def from_settings(cls, settings: Settings) -> Keys:
        return cls(resolve_secret_key(settings))

    @property
    def pseudonyms(self) -> bytes:
        """The key of the residents' pseudonyms: the secret itself (see above)."""
        return self._secret

    def derive(self, purpose: Purpose) -> bytes:
        """The 32-byte key of `purpose`, the same for every process and restart."""
        hkdf = HKDF(
            algorithm=hashes.SHA256(),
            length=KEY_BYTES,
            salt=None,
            info=b"consultbot " + purpose.encode("ascii"),
        )
        return hkdf.derive(self._secret)


def resolve_secret_key(settings: Settings) -> bytes:
    """The key from CONSULTBOT_SECRET_KEY; on the embedded SQLite default without
    one, a key generated once and kept beside the database file (mode 0600), so
    that `consultbot serve` works on a fresh machine and pseudonyms stay stable
    across restarts. PostgreSQL deployments must set the variable."""
    if settings.secret_key is not None:
        key = settings.secret_key.get_secret_value()
        if len(key) < MIN_KEY_LENGTH:
            raise ConfigError(
                f"{KEY_ENV} is too short: use at least {MIN_KEY_LENGTH} random characters, "
                + KEY_ADVICE
            )
        return key.encode()
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise ConfigError(
            f"{KEY_ENV} is not set: it keys the pseudonyms of residents and must be the same "
            f"for every process and every restart; set it to at least {MIN_KEY_LENGTH} random "
            "characters, " + KEY_ADVICE
        )
    return _key_beside(Path(url.database))


def _key_beside(database: Path) -> bytes:
    key_file = database.with_name(database.name + ".key")
    try:
        return key_file.read_bytes().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(32).encode()
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    except FileExistsError:  # another process created it first: use theirs
        return key_file.read_bytes().strip()
    except FileNotFoundError:
        raise ConfigError(
            f"the folder {key_file.parent} of the database does not exist: create it, "
            "or set CONSULTBOT_DATABASE_URL to a file in an existing folder"
        ) from None
    with os.fdopen(fd, "wb") as out:
        out.write(key)
    return key
