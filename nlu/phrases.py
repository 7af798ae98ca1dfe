"""Finding known phrases (sequences of folded words) in a message, longest first.

A `PhraseIndex` maps phrases to values; `find` walks the message once and, at each
position, takes the longest phrase that starts there, so "pas du tout" wins over
"pas" and "tout". Lookups are dictionary hits on token tuples: linear in the
message length, whatever the vocabulary size.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from nlu.normalize import tokens

V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Found(Generic[V]):
    start: int  # index of the first token
    end: int  # index after the last token
    value: V


class PhraseIndex(Generic[V]):
    def __init__(self, entries: Iterable[tuple[str, V]] = ()) -> None:
        self._values: dict[tuple[str, ...], V] = {}
        self.longest = 1
        for phrase, value in entries:
            self.add(phrase, value)

    def add(self, phrase: str, value: V) -> None:
        self.add_words(tuple(tokens(phrase)), value)

    def add_words(self, words: tuple[str, ...], value: V) -> None:
        """Index an already folded phrase; the first value given for it stays."""
        if words and words not in self._values:
            self._values[words] = value
            self.longest = max(self.longest, len(words))

    @classmethod
    def of(cls, phrases: Iterable[str]) -> PhraseIndex[str]:
        """A set of phrases: each phrase is its own value."""
        index: PhraseIndex[str] = PhraseIndex()
        for phrase in phrases:
            index.add(phrase, phrase)
        return index

    def get(self, words: Sequence[str]) -> V | None:
        return self._values.get(tuple(words))

    def find(self, words: Sequence[str]) -> list[Found[V]]:
        found: list[Found[V]] = []
        position = 0
        while position < len(words):
            for size in range(min(self.longest, len(words) - position), 0, -1):
                value = self._values.get(tuple(words[position : position + size]))
                if value is not None:
                    found.append(Found(position, position + size, value))
                    position += size
                    break
            else:
                position += 1
        return found

    def first_end(self, words: Sequence[str]) -> int | None:
        """Where the first phrase found in `words` ends ("non, enfin Olivet": after
        "enfin"), or None."""
        found = self.find(words)
        return found[0].end if found else None

    def occurs_in(self, words: Sequence[str]) -> bool:
        return bool(self.find(words))


def ends_with(words: Sequence[str], phrase: tuple[str, ...]) -> bool:
    """Whether `words` end with `phrase` ("près de" before a name)."""
    return len(words) >= len(phrase) and tuple(words[len(words) - len(phrase) :]) == phrase
