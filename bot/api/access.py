"""Who may call the API: bearer tokens with scopes, and a rate limit per token.

Tokens are checked against the database on every request, so a revoked token
stops working at once in every process. The rate limit is a token bucket per
API token, shared by every process of the deployment (bot.rate_limits).
"""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from bot.api.errors import ApiError
from bot.rate_limits import RateLimiter, retry_after
from storage import api_tokens
from storage.api_tokens import ApiToken
from storage.database import Database

LAST_USED_EVERY = dt.timedelta(minutes=1)  # how often last_used_at is written


def bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "unauthorized",
            "send a token as `Authorization: Bearer <token>` "
            "(make one with `consultbot tokens create NAME --scope ...`)",
            {"WWW-Authenticate": 'Bearer realm="consultbot"'},
        )
    return token.strip()


async def authenticate(database: Database, token: str, scope: str | None) -> ApiToken:
    """The token's record if it is known, not revoked and has `scope`."""
    now = dt.datetime.now(dt.UTC)
    async with database.read() as session:  # no write lock on SQLite for most requests
        found = await api_tokens.find(session, token)
    if found is not None and found.revoked_at is None and _stale(found, now):
        async with database.transaction() as session:
            await api_tokens.used(session, found.id, now=now)
    if found is None or found.revoked_at is not None:
        raise ApiError(
            401,
            "unauthorized",
            "this token is unknown or revoked: ask for a new one",
            {"WWW-Authenticate": 'Bearer realm="consultbot", error="invalid_token"'},
        )
    if scope is not None and scope not in found.scopes:
        raise ApiError(
            403,
            "insufficient_scope",
            f"this token lacks the scope {scope}: make one with "
            f"`consultbot tokens create NAME --scope {scope}`",
        )
    return found


def _stale(token: ApiToken, now: dt.datetime) -> bool:
    return token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY


async def limit(limiter: RateLimiter, token: ApiToken) -> None:
    """Count one request of `token`; ApiError 429 (with Retry-After) when over
    the limit, which holds for the whole deployment (bot.rate_limits)."""
    wait = await limiter.take(f"api:{token.id}")
    if wait is not None:
        seconds = retry_after(wait)
        raise ApiError(
            429,
            "rate_limited",
            f"too many requests with this token: try again in {seconds} s",
            {"Retry-After": str(seconds)},
        )
