"""Pseudonymise platform user ids: only a keyed hash is ever stored.

HMAC-SHA256 keyed with the deployment's secret key: the same resident on the same
channel always maps to the same pseudonym, yet without the key nobody can tell
which platform account it belongs to (a plain hash of a Telegram id could be
reversed by enumerating ids).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.errors import ConfigError

KEY_ENV = "CONSULTBOT_SECRET_KEY"
MIN_KEY_LENGTH = 16


class Pseudonymizer:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def pseudonym(self, channel: str, user_id: str) -> str:
        message = f"{channel}\x00{user_id}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def erasure_receipt(self, channel: str, user_hash: str, message_id: str) -> str:
        """The keyed hash that marks a message as one that erased a resident's
        data: it tells a retry of that message apart and nothing else."""
        return self._digest("erasure", channel, user_hash, message_id)

    def message_digest(self, channel: str, user_hash: str, message_id: str) -> str:
        """A keyed hash of a message id, to tell a retry of a message before
        consent apart from a new message without keeping the id."""
        return self._digest("message", channel, user_hash, message_id)[:32]

    def _digest(self, purpose: str, *parts: str) -> str:
        message = "\x00".join((purpose, *parts)).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def in_consultation(self, consultation_id: str, user_hash: str) -> str:
        """The resident as one consultation's engine knows them: keyed by the
        consultation, so that two consultations' pseudonyms cannot be linked."""
        return "p_" + self._digest("consultation", consultation_id, user_hash)[:32]

    def public_id(self, kind: str, number: int) -> str:
        """A stable opaque id (e.g. of a contribution) that reveals no row number."""
        digest = bytes.fromhex(self._digest("public", kind, str(number)))
        return f"{kind}_" + base64.b32encode(digest[:15]).decode("ascii").lower()


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
                "e.g. the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return key.encode()
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise ConfigError(
            f"{KEY_ENV} is not set: it keys the pseudonyms of residents and must be the same "
            "for every process and every restart; set it to at least 32 random characters, "
            "e.g. the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
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
