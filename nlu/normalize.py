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
_TOKEN = re.compile(r"[a-z0-9]+")
# Three or more repeats of a letter are emphasis ("ouiii", "nooon"), never spelling.
_REPEATS = re.compile(r"([a-z])\1{2,}")


def fold(text: str) -> str:
    """Lower-case, accent-free, ligature-free text with single spaces."""
    text = text.translate(_LIGATURES)
    if not text.isascii():
        text = text.replace(_KEYCAP, "")
        decomposed = unicodedata.normalize("NFKD", text)
        if not decomposed.isascii():
            decomposed = "".join(c for c in decomposed if not unicodedata.combining(c))
        text = decomposed
    lowered = text.casefold()
    if _REPEATS.search(lowered):
        lowered = _REPEATS.sub(_first_letter, lowered)
    return " ".join(lowered.split())


def _first_letter(match: re.Match[str]) -> str:
    return match[1]


def tokens(text: str) -> list[str]:
    """The words and numbers of `text`, folded; punctuation and emoji dropped."""
    return _TOKEN.findall(fold(text))


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
