"""Source tags: which poster (or other link) brought a resident, so that the
results can be filtered by it.

A tag is a short slug (`gare-tours`: up to 40 lowercase letters, digits and
`-`). The web chat link carries it as `?src=gare-tours`; Telegram's single
start parameter carries the consultation and the tag together,
`mobilite_S_gare-tours` (`_S_` never occurs in either: consultation ids and
tags are lowercase). A tag that is not a slug is ignored, never stored.
"""

from __future__ import annotations

import re
from typing import Final

SOURCE_PATTERN: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
SEPARATOR: Final = "_S_"
TELEGRAM_START_MAX: Final = 64  # Telegram's limit on a start parameter


def valid_source(value: str | None) -> str | None:
    """The tag if it is a slug, else None (ignored)."""
    if value is None or not SOURCE_PATTERN.fullmatch(value):
        return None
    return value


def split_start(argument: str) -> tuple[str, str | None]:
    """A Telegram start parameter as (consultation id, source tag or None)."""
    consultation, separator, source = argument.partition(SEPARATOR)
    if not separator:
        return argument, None
    return consultation, valid_source(source)


def start_parameter(consultation_id: str, source: str | None) -> str:
    """The Telegram start parameter for a consultation and tag; without the tag
    when both would not fit in Telegram's 64 characters."""
    if source is None:
        return consultation_id
    joined = f"{consultation_id}{SEPARATOR}{source}"
    return joined if len(joined) <= TELEGRAM_START_MAX else consultation_id
