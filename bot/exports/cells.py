"""Spreadsheet cells that stay text.

A spreadsheet opening a CSV (or a careless XLSX writer) takes a cell starting
with `=`, `+`, `-`, `@`, a tab or a carriage return for a formula: a resident
could write `=HYPERLINK(...)` and have it run on a moderator's machine (CSV or
formula injection). Such a cell gets a leading apostrophe, which spreadsheets
show as text and do not evaluate; a plain number (`-3`, `4.5`) is left as it is.
Characters XML cannot hold (control characters) are dropped, so that XLSX
files stay readable.
"""

from __future__ import annotations

import re

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def cell(value: str) -> str:
    """`value` as a cell that no spreadsheet evaluates."""
    if not value.isprintable():  # rare: only then look for what XML cannot hold
        value = _NOT_IN_XML.sub("", value)
    if value[:1] in _FORMULA_START and value and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
