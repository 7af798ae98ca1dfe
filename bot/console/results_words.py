"""The most frequent meaningful words of approved free texts: lowercased
words of three letters or more, stop words removed (French and English lists
kept beside this module, `stopwords/fr.txt` and `stopwords/en.txt`, one word
a line), counted once per text (so one long text cannot fill the list)."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from importlib import resources

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
MIN_LENGTH = 3


@functools.cache
def stop_words() -> frozenset[str]:
    folder = resources.files("bot.console") / "stopwords"
    words: set[str] = set()
    for name in ("fr.txt", "en.txt"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            word = line.strip().lower()
            if word and not word.startswith("#"):
                words.add(word)
                words.add(_folded(word))
    return frozenset(words)


def _folded(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")


def words_of(text: str) -> set[str]:
    """The meaningful words of one text ("l'internat" gives "internat")."""
    found = set()
    stop = stop_words()
    for match in _WORD.finditer(text.lower()):
        word = re.split(r"['’]", match.group())[-1]
        if len(word) >= MIN_LENGTH and word not in stop and _folded(word) not in stop:
            found.add(word)
    return found


def frequent_words(texts: Iterable[str], limit: int = 20) -> list[tuple[str, int]]:
    """(word, number of texts using it), most frequent first, ties by word."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(words_of(text))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
