"""The channel's in-memory tables (update ids seen, keyboards answered, boxes
ticked...) keep their newest entries only: what they forget is harmless (see
`channel`), and a process running for months must not grow without end."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

REMEMBERED = 100_000  # entries of each table, oldest dropped first


def bound(table: OrderedDict[Any, Any], size: int = REMEMBERED) -> None:
    """Drop `table`'s oldest entries beyond `size`."""
    while len(table) > size:
        table.popitem(last=False)
