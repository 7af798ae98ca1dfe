"""Console passwords: argon2id hashes, computed in a worker thread so that a
sign-in never stalls the event loop (and the residents' replies with it)."""

from __future__ import annotations

import asyncio
import functools
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bot.errors import UserError

MIN_LENGTH: Final = 12
MAX_LENGTH: Final = 1024

_HASHER: Final = PasswordHasher()  # argon2id with the library's current parameters


@functools.cache
def _decoy() -> str:
    """Verified when there is no account, so that a miss costs what a wrong
    password does; made on first use, not at import."""
    return _HASHER.hash("not a password of anyone")


class WeakPassword(UserError):
    """A new password too short or too long."""


def checked(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"choose a password of at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"choose a password of at most {MAX_LENGTH} characters")
    return password


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_HASHER.hash, checked(password))


async def verify(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no hash, the same work is done for nothing."""
    if len(password) > MAX_LENGTH:
        password = password[:MAX_LENGTH]
    return await asyncio.to_thread(_verify, password_hash, password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _decoy(), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
