"""JSON as the database holds it: written and read by orjson.

Every resident message writes JSON (the session's state, the replies kept for
redeliveries, the transcript's buttons and reading) and reads some back; with
the standard library's encoder and decoder that was about a twentieth of the
CPU of a message. orjson does the same work several times faster, and both
engines take it (SQLAlchemy's `json_serializer` and `json_deserializer`: the
JSON columns' bind and result processors, storage.prepared's included, call it).

The text differs from the standard library's only in form: no spaces after
separators, and characters outside ASCII written as they are rather than as
`\\u` escapes. Both read the other's text the same, so rows written before stay
readable. Keys that are not strings (an int) are written as strings, as the
standard library does.
"""

from __future__ import annotations

from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> str:
    """`value` as JSON text."""
    return orjson.dumps(value, option=_OPTIONS).decode()


def loads(text: str | bytes) -> Any:
    """The value of the JSON `text`. A number is refused with TypeError, as by
    the standard library: SQLite gives a JSON column's number back as a number
    (the column's numeric affinity), and SQLAlchemy's SQLite JSON type then
    takes it as it is on that error only."""
    if not isinstance(text, str | bytes):
        raise TypeError(f"JSON text must be str or bytes, not {type(text).__name__}")
    return orjson.loads(text)
