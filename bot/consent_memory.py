"""What residents who have not consented yet chose, kept in memory only.

Nothing about a resident may be stored before consent, yet their "oui" must
join the consultation their deep link or page chose, in the language they
picked. This note bridges the two: bounded (the oldest are forgotten first) and
lost on restart, when the resident simply gets the default consultation.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

LIMIT = 10_000  # residents between their first message and their consent


@dataclass(frozen=True, slots=True)
class Choice:
    consultation_id: str
    language: str | None


class ConsentMemory:
    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._choices: OrderedDict[str, Choice] = OrderedDict()

    def get(self, user_hash: str) -> Choice | None:
        return self._choices.get(user_hash)

    def remember(self, user_hash: str, consultation_id: str, language: str | None) -> None:
        """Note the consultation; a language given earlier stays unless replaced."""
        earlier = self._choices.get(user_hash)
        if language is None and earlier is not None:
            language = earlier.language
        self._choices[user_hash] = Choice(consultation_id, language)
        self._choices.move_to_end(user_hash)
        while len(self._choices) > self._limit:
            self._choices.popitem(last=False)

    def forget(self, user_hash: str) -> None:
        self._choices.pop(user_hash, None)

    def __len__(self) -> int:
        return len(self._choices)
