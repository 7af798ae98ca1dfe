"""Where an export is written: standard output, or a file that appears whole.

A file is written under a temporary name beside it and renamed into place once
complete, so that a failed export (a full disk, a database gone, Ctrl-C) leaves
nothing behind, and a reader never sees half a file. The writers stream: a row
is written as soon as it is made; XLSX is compressed as it is written
(`bot.exports.xlsx`), every cell an inline string, never a formula or a number.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, TextIO

from bot.exports import xlsx
from bot.exports.source import ExportError

_BUFFER = 1 << 20


class RowWriter(Protocol):
    def rows(self, rows: Sequence[Sequence[str]]) -> None: ...


class ObjectWriter(Protocol):
    def object(self, value: Any) -> None: ...


@contextlib.contextmanager
def destination(out: Path | None) -> Iterator[Path | None]:
    """A temporary path beside `out` renamed to `out` if the block succeeds
    (None: standard output). ExportError if `out` cannot be written."""
    if out is None:
        yield None
        return
    if out.is_dir():
        raise ExportError(f"{out} is a directory: give a file name, e.g. {out / 'export.csv'}")
    try:
        handle, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    except OSError as error:
        raise ExportError(
            f"cannot write {out} ({error.strerror}): choose a folder that exists and "
            "that you may write to"
        ) from None
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)


@contextlib.contextmanager
def text_stream(path: Path | None) -> Iterator[TextIO]:
    if path is None:
        if isinstance(sys.stdout, io.TextIOWrapper):  # UTF-8 whatever the locale says
            sys.stdout.reconfigure(encoding="utf-8")
        yield sys.stdout
        sys.stdout.flush()
        return
    # Written in large pieces: a write per row cost more than the row.
    with path.open("w", encoding="utf-8", newline="", buffering=_BUFFER) as stream:
        yield stream


class CsvWriter:
    def __init__(self, stream: TextIO, delimiter: str = ",") -> None:
        self._writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")

    def rows(self, rows: Sequence[Sequence[str]]) -> None:
        self._writer.writerows(rows)


@contextlib.contextmanager
def xlsx_writer(path: Path | None, sheet: str) -> Iterator[RowWriter]:
    if path is None:
        raise ExportError("an XLSX file cannot go to the terminal: add --out FILE.xlsx")
    try:
        with xlsx.workbook(path, sheet) as rows:
            yield rows
    except xlsx.TooManyRows as error:
        raise ExportError(f"{error}: export as csv or jsonl instead, or use --since") from None


class JsonLinesWriter:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def object(self, value: Any) -> None:
        self._stream.write(_json(value) + "\n")


@contextlib.contextmanager
def json_array(stream: TextIO) -> Iterator[ObjectWriter]:
    """A JSON array written an element at a time."""
    writer = _JsonArray(stream)
    stream.write("[")
    yield writer
    stream.write("\n]\n")


class _JsonArray:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._separator = "\n"

    def object(self, value: Any) -> None:
        self._stream.write(self._separator + _json(value))
        self._separator = ",\n"


# One encoder for the whole file: json.dumps with arguments makes one per call.
_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
