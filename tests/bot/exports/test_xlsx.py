"""The XLSX writer: a spreadsheet reads back every cell as the text written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from bot.exports import xlsx


def test_every_cell_reads_back_as_the_text_written(tmp_path: Path):
    rows = [
        ["id", "texte", "vide", "fin"],
        ["1", "a & b < c > d \"q\" 'r'", "", "x"],
        ["2", "  espaces autour  ", "", "ligne 1\nligne 2\r\nligne 3"],
        ["3", "é ü 中文 🚲", "", "'=1+1"],
    ]
    path = tmp_path / "t.xlsx"
    with xlsx.workbook(path, "contributions") as sheet:
        for row in rows:
            sheet.row(row)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["contributions"]
    read = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
    assert read == [[value or None for value in row] for row in rows]
    assert {c.data_type for row in book.worksheets[0].iter_rows() for c in row if c.value} == {"s"}


def test_columns_past_z_and_a_cell_longer_than_a_spreadsheet_holds(tmp_path: Path):
    path = tmp_path / "wide.xlsx"
    wide = [f"c{n}" for n in range(60)]
    with xlsx.workbook(path, "proposals") as sheet:
        sheet.row(wide)
        sheet.row(["x" * (xlsx.MAX_CELL + 10)])
    book = openpyxl.load_workbook(path)
    read = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
    assert read[0] == wide
    assert read[1][0] == "x" * xlsx.MAX_CELL


def test_rows_are_compressed_as_they_are_written(tmp_path: Path):
    path = tmp_path / "many.xlsx"
    with xlsx.workbook(path, "contributions") as sheet:
        for n in range(5000):
            sheet.row([str(n), "Des pistes cyclables continues entre les communes"])
    with zipfile.ZipFile(path) as book:
        part = book.getinfo("xl/worksheets/sheet1.xml")
    assert part.compress_type == zipfile.ZIP_DEFLATED
    assert part.compress_size < part.file_size / 5
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert sheet.max_row == 5000
    assert sheet.cell(5000, 1).value == "4999"


def test_more_rows_than_a_spreadsheet_holds_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 2)
    with xlsx.workbook(tmp_path / "big.xlsx", "contributions") as sheet:
        sheet.row(["a"])
        sheet.row(["b"])
        with pytest.raises(xlsx.TooManyRows, match="at most 2 rows"):
            sheet.row(["c"])
