"""A light stemmer shared by option matching: enough for plurals and the
feminine of past participles, nothing that could merge two different words."""

from __future__ import annotations

from collections.abc import Iterable

from nlu.normalize import tokens


def stem(word: str) -> str:
    """A light stem: the plural -s/-x of words of five letters or more, and the
    feminine -ée, dropped ("vélos" -> "velo", "hébergée" -> "heberge"); shorter
    words stay ("bus", "deux", "mois")."""
    if len(word) >= 5 and word[-1] in "sx" and not word.endswith("ss"):
        word = word[:-1]
    if len(word) > 4 and word.endswith("ee"):
        word = word[:-1]
    return word


def stems(text: str) -> list[str]:
    return [stem(word) for word in tokens(text)]


def stemmed(words: Iterable[str]) -> frozenset[str]:
    return frozenset(stem(word) for word in words)
