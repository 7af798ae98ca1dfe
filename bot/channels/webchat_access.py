"""Who may use the web chat: participant tokens (which resident a tab is) and
the origins of the pages allowed to open the socket."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from aiohttp import web

from bot.keys import Keys
from bot.signatures import Signer


class ParticipantTokens:
    """Random participant ids signed (`bot.signatures`) with the key of the
    purpose "web chat participant token" (`bot.keys`), for a while.

    A token is `<id>.<issued>.<signature>`: the id is 16 random bytes (base64url),
    issued the Unix time it was issued, the signature (22 characters) covers both.
    The id alone is the participant's user id for the conversation service,
    which stores only a keyed hash of it. A token is valid for `lifetime` after
    it was issued (the sessions' expiry); each welcome gives a fresh one for the
    same id, so a token in use never expires.
    """

    __slots__ = ("_clock", "_lifetime", "_signer")

    def __init__(
        self,
        keys: Keys,
        lifetime: dt.timedelta = dt.timedelta(days=7),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._signer = Signer(keys.derive("web chat participant token"), 22)
        self._lifetime = lifetime.total_seconds()
        self._clock = clock

    def issue(self, participant: str | None = None) -> str:
        """A token for `participant` (a new one when None), valid from now."""
        raw = participant or secrets.token_urlsafe(16)
        issued = str(int(self._clock()))
        return f"{raw}.{issued}.{self._signer.sign(f'{raw}.{issued}')}"

    def verify(self, token: object) -> str | None:
        """The participant id of a valid, unexpired token, None for anything else."""
        if not isinstance(token, str) or len(token) > 100 or not token.isascii():
            return None
        if token.count(".") != 2:
            return None
        raw, issued, mac = token.split(".")
        if not raw or not issued.isdigit():
            return None
        if not self._signer.valid(mac, f"{raw}.{issued}"):
            return None
        age = self._clock() - int(issued)
        return raw if -60 <= age <= self._lifetime else None


class OriginPolicy:
    """Browser pages allowed to open the socket: the configured origins, and the
    server's own pages. Clients that send no Origin (not browsers) are allowed:
    the check protects residents' browsers, not the server.

    Origins are compared whole (scheme, host and port). The server's own origin
    is the address the connection came in on, never the Host header (which a
    rebinding page controls); behind a reverse proxy, list the public origin in
    `server.allowed_origins`."""

    __slots__ = ("_allowed",)

    def __init__(self, allowed: Sequence[str]) -> None:
        self._allowed = frozenset(filter(None, map(_origin, allowed)))

    def allows(self, request: web.Request) -> bool:
        given = request.headers.get("Origin")
        if given is None:
            return True
        origin = _origin(given)
        if origin is None:
            return False
        return origin in self._allowed or origin in _own_origins(request)


def _origin(text: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin, or None when it is not one ("null")."""
    try:
        parts = urlsplit(text.strip().rstrip("/").lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def _own_origins(request: web.Request) -> frozenset[tuple[str, str, int]]:
    """The origins of the server's own pages, from the socket the request came in on."""
    address = request.transport.get_extra_info("sockname") if request.transport else None
    if not isinstance(address, tuple) or len(address) < 2:
        return frozenset()
    host, port = str(address[0]).lower(), int(address[1])
    hosts = {host, "localhost"} if host in ("127.0.0.1", "::1") else {host}
    return frozenset((request.scheme, name, port) for name in hosts)
