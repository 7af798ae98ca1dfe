"""Cells that spreadsheets keep as text, and Decidim's limits."""

from __future__ import annotations

import pytest

from bot.exports.cells import cell
from bot.exports.decidim import BODY_MAX, _cut, _split


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 6 12", "'+33 6 12"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-3", "-3"),
        ("-4.5", "-4.5"),
        ("plus de bus", "plus de bus"),
        ("a\x00b\x1fc", "abc"),
    ],
)
def test_a_cell_never_starts_a_formula(value, expected):
    assert cell(value) == expected


def test_a_long_body_is_split_between_words_and_nothing_is_lost():
    body = " ".join(["paragraphe"] * 150)
    parts = _split(body)
    assert len(parts) == 4
    assert all(len(f"({i}/{len(parts)}) {p}") <= BODY_MAX for i, p in enumerate(parts, 1))
    assert " ".join(parts) == body


def test_a_long_title_is_cut_at_a_word_with_a_visible_mark():
    title = _cut("Des pistes cyclables " * 20, 150)
    assert len(title) <= 150
    assert title.endswith("cyclables…")
