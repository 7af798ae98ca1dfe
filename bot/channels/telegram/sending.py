"""Calls to the Bot API that survive Telegram's real answers.

- 429 (flood control): wait `retry_after` seconds (capped), then retry;
- 5xx and network errors: retry with exponential backoff;
- 403 (the resident blocked the bot): raise `Blocked`, never retry;
- 400 "message is not modified" (a double tap on an edit): nothing to do;
- any other 400: logged, the call is skipped (a reply Telegram refuses will not be
  accepted on a second try).
Attempts are bounded: after `max_attempts`, `DeliveryFailed`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)
T = TypeVar("T")


class Blocked(Exception):
    """Telegram answered 403: the resident blocked the bot or deleted the chat."""


class DeliveryFailed(Exception):
    """Telegram kept failing after every retry."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 5
    backoff: float = 0.5  # seconds before the first retry after a 5xx; doubles each time
    max_wait: float = 60.0  # never wait longer than this for one retry
    # How to wait between attempts (tests pass one that notes the waits instead).
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


DEFAULT_POLICY = RetryPolicy()


def retry_after_seconds(error: RetryAfter) -> float:
    # PTB 22 warns when `retry_after` is read as an int (it becomes a timedelta).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value)


async def call_api(
    method: str,
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
) -> T | None:
    """Run `call` with the retries above; None when Telegram refused it for good
    with a 400 (logged)."""
    for attempt in range(1, policy.max_attempts + 1):
        try:
            return await call()
        except RetryAfter as error:
            wait = min(retry_after_seconds(error), policy.max_wait)
            problem = "rate-limited"
        except Forbidden as error:
            raise Blocked(str(error)) from None
        except BadRequest as error:
            if "message is not modified" in str(error):
                return None
            log.warning("telegram: %s refused by Telegram: %s", method, error)
            return None
        except NetworkError as error:  # 5xx, timeouts, connection errors
            wait = min(policy.backoff * 2 ** (attempt - 1), policy.max_wait)
            problem = f"failed ({error})"
        except TelegramError as error:
            log.warning("telegram: %s failed: %s", method, error)
            raise DeliveryFailed(str(error)) from None
        if attempt == policy.max_attempts:  # no "retrying in" when nothing is retried
            log.warning(
                "telegram: %s %s, attempt %d of %d: giving up", method, problem, attempt, attempt
            )
            break
        log.warning("telegram: %s %s, retrying in %.1f s", method, problem, wait)
        await policy.sleep(wait)
    raise DeliveryFailed(f"{method}: no success after {policy.max_attempts} attempts")
