"""A streamed XLSX workbook of one sheet whose every cell is text.

An XLSX file is a zip of a few XML parts; the sheet's part is written row by
row, compressed as it goes, so that memory stays flat whatever the number of
rows. Every cell is an inline string (`t="inlineStr"`): never a formula, a
number or a link, whatever it holds. Written here rather than through a
general-purpose library, which spent ten times as long per cell (it checks,
formats and escapes each cell through several calls; here a row is one string).
"""

from __future__ import annotations

import contextlib
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Final

MAX_ROWS: Final = 1_048_576  # a spreadsheet's limit
MAX_CELL: Final = 32_767  # characters a cell holds; longer texts are cut
_SHEET_PART: Final = "xl/worksheets/sheet1.xml"
# zlib's fastest level: the sheet's XML repeats itself so much that it still
# shrinks tenfold, 15% larger than at the default level, in a quarter of the time.
_LEVEL: Final = 1
_XML: Final = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN: Final = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS: Final = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS: Final = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES: Final = (
    _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/></Types>'
)
_ROOT_RELS: Final = (
    _XML + f'<Relationships xmlns="{_PACKAGE_RELS}"><Relationship Id="rId1" '
    f'Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS: Final = (
    _XML + f'<Relationships xmlns="{_PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_RELS}/styles" Target="styles.xml"/></Relationships>'
)
_STYLES: Final = (
    _XML + f'<styleSheet xmlns="{_MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_START: Final = f'{_XML}<worksheet xmlns="{_MAIN}"><sheetData>'
_SHEET_END: Final = "</sheetData></worksheet>"
_ESCAPES: Final = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


class TooManyRows(Exception):
    """More rows than a spreadsheet holds."""


class SheetRows:
    """Rows of text cells, appended to the sheet in order."""

    def __init__(self, part: IO[bytes]) -> None:
        self._part = part
        self._rows = 0
        self._openings: list[str] = []  # per column: '<c r="A', '<c r="B', ...

    def row(self, cells: Sequence[str]) -> None:
        self.rows([cells])

    def rows(self, rows: Sequence[Sequence[str]]) -> None:
        """Append `rows`; one write for them all."""
        if self._rows + len(rows) > MAX_ROWS:
            raise TooManyRows(f"a spreadsheet holds at most {MAX_ROWS:,} rows")
        openings = self._openings
        written = []
        for cells in rows:
            self._rows += 1
            number = str(self._rows)
            while len(openings) < len(cells):
                openings.append(f'<c r="{_column(len(openings))}')
            written.append(f'<row r="{number}">')
            for opening, value in zip(openings, _escaped(cells), strict=False):
                if value:  # an empty cell is left out, as spreadsheets write it
                    written += (opening, number, value, "</t></is></c>")
            written.append("</row>")
        self._part.write("".join(written).encode())


# Between the cells of a row while it is escaped: a character no cell holds
# (`bot.exports.cells` drops it, and XML cannot hold it).
_BETWEEN: Final = "\x00"
_TEXT: Final = '" t="inlineStr"><is><t>'
_KEPT_SPACES: Final = '" t="inlineStr"><is><t xml:space="preserve">'


def _escaped(cells: Sequence[str]) -> list[str]:
    """The cells as their XML, from the end of their reference (`A12`) to their
    text: cut at MAX_CELL, escaped (a row at once: most need nothing), a text
    with spaces at either end kept as it is ("" stays "", for a cell left out)."""
    cut = [value[:MAX_CELL] for value in cells]
    joined = _BETWEEN.join(cut)
    if "&" in joined or "<" in joined or ">" in joined or "\r" in joined:
        texts = joined.translate(_ESCAPES).split(_BETWEEN)
        if len(texts) != len(cut):  # a cell with the separator after all: one at a time
            texts = [value.translate(_ESCAPES) for value in cut]
    else:
        texts = cut
    return [
        (_TEXT + text if value.strip() == value else _KEPT_SPACES + text) if value else ""
        for value, text in zip(cut, texts, strict=True)
    ]


@contextlib.contextmanager
def workbook(path: Path, sheet: str) -> Iterator[SheetRows]:
    """An XLSX file at `path` with one sheet named `sheet`, whose rows the
    block writes; the file is complete once the block ends."""
    name = sheet[:31].translate(_ESCAPES).replace('"', "&quot;")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=_LEVEL) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr(
            "xl/workbook.xml",
            f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheets>'
            f'<sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        book.writestr("xl/styles.xml", _STYLES)
        with book.open(_SHEET_PART, "w", force_zip64=True) as part:
            part.write(_SHEET_START.encode())
            yield SheetRows(part)
            part.write(_SHEET_END.encode())


def _column(index: int) -> str:
    """The letters of a 0-based column: A, ..., Z, AA, ..."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
