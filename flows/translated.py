"""A text an organizer wrote in one or several languages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Translated:
    """Language code -> text. `first` is the flow's first language, used when a
    language has no text of its own (validation makes that an error for the
    flow's declared languages, so the fallback only serves unexpected ones)."""

    texts: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, texts: Mapping[str, str]) -> Translated:
        return cls(tuple(texts.items()))

    def get(self, lang: str) -> str:
        for code, text in self.texts:
            if code == lang:
                return text
        return self.texts[0][1] if self.texts else ""

    def languages(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.texts)
