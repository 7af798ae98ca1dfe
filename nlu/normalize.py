"""Folding text for matching: lower case, no accents, ligatures spelt out,
apostrophes and dashes unified, emoji digits and stars turned into words.

Every parser compares folded text with folded vocabulary, so "JOUÉ-LÈS-TOURS",
"joue les tours" and "Joué lès Tours" meet on the same key.
"""

from __future__ import annotations

import re
import unicodedata

# Longest text any parser looks at: a real answer to a question is short, and
# bounding the input bounds the time spent on a pasted novel.
MAX_PARSED_CHARS = 1_000

_LIGATURES = str.maketrans(
    {
        "œ": "oe",
        "Œ": "oe",
        "æ": "ae",
        "Æ": "ae",
        "ß": "ss",
        "’": "'",
        "‘": "'",
        "`": "'",
        "´": "'",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "\u00a0": " ",
        "\u202f": " ",
    }
)
_KEYCAP = "\u20e3"
# Combining marks (accents) of the Latin, Greek, Cyrillic, Hebrew and Arabic
# scripts and the generic blocks: one regular expression pass, not a loop in Python.
_COMBINING = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)
# Every message and every option label is folded: `str.translate` with a
# table costs more than checking first whether any of its characters is there.
_LIGATURE_CHARS = frozenset(chr(code) for code in _LIGATURES)
ASCII_LIGATURE = "`"  # the table's only ASCII character (tests/nlu/test_normalize.py)
_TOKEN = re.compile(r"[a-z0-9]+")
# Three or more repeats of a letter are emphasis ("ouiii", "nooon"), never spelling.
_REPEATS = re.compile(r"([a-z])\1{2,}")
# The same, only found (without its open-ended repeat: twice as fast to search).
_HAS_REPEATS = re.compile(r"([a-z])\1\1")


def fold(text: str) -> str:
    """Lower-case, accent-free, ligature-free text with single spaces."""
    if text.isascii():
        if ASCII_LIGATURE in text:
            text = text.translate(_LIGATURES)
    else:
        if not _LIGATURE_CHARS.isdisjoint(text):
            text = text.translate(_LIGATURES)
        text = text.replace(_KEYCAP, "")
        decomposed = unicodedata.normalize("NFKD", text)
        if not decomposed.isascii():
            decomposed = _COMBINING.sub("", decomposed)
        text = decomposed
    lowered = text.casefold()
    if _HAS_REPEATS.search(lowered):
        lowered = _REPEATS.sub(_first_letter, lowered)
    return " ".join(lowered.split())


def _first_letter(match: re.Match[str]) -> str:
    return match[1]


def tokens(text: str) -> list[str]:
    """The words and numbers of `text`, folded; punctuation and emoji dropped."""
    return _TOKEN.findall(fold(text))


def folded_tokens(folded: str) -> list[str]:
    """`tokens` of a text already folded (to fold it once for several uses)."""
    return _TOKEN.findall(folded)


def key(text: str) -> str:
    """Folded words joined by single spaces: the form vocabulary is indexed by."""
    return " ".join(tokens(text))


# Letters that show nothing (Hangul fillers, the blank Braille pattern).
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def is_blank(text: str) -> bool:
    """Nothing a person could see: white space, zero-width and other invisible
    characters (format and control characters, fillers) only."""
    return all(
        c.isspace() or c in _INVISIBLE_LETTERS or unicodedata.category(c) in ("Cf", "Cc")
        for c in text
    )


def has_letters_or_digits(text: str) -> bool:
    return any(c.isalnum() for c in text)


def word_set(block: str) -> frozenset[str]:
    """The white-space separated words of a vocabulary block."""
    return frozenset(block.split())
