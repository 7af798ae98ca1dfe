"""The language a first message says hello in: "hello" is English, "salut" French.

A REST client or a web page may not say which language a resident speaks, and
before they have answered anything their greeting is the only clue. Greetings
come from the `greeting` lookup tables of the training data (Rasa's NLU YAML
format), one per language; a phrase listed in several languages says nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from nlu.normalize import tokens

_AMBIGUOUS = ""
_READ_CHARS = 80  # a greeting opens the message


class Greetings:
    def __init__(self, by_language: Mapping[str, Iterable[str]]) -> None:
        self._phrases: dict[tuple[str, ...], str] = {}
        for language, phrases in by_language.items():
            for phrase in phrases:
                words = tuple(tokens(phrase))
                if not words:
                    continue
                known = self._phrases.get(words)
                self._phrases[words] = language if known in (None, language) else _AMBIGUOUS
        self._longest = max((len(words) for words in self._phrases), default=0)

    def language(self, text: str) -> str | None:
        """The language of the greeting `text` opens with; None when it opens
        with none (or with one several languages share)."""
        words = tokens(text[:_READ_CHARS])
        for size in range(min(self._longest, len(words)), 0, -1):
            found = self._phrases.get(tuple(words[:size]))
            if found is not None:
                return found or None
        return None
