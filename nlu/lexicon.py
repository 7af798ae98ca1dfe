"""Synonym groups of everyday words (Rasa NLU `- synonym:` items) that let a
label call up the words residents use for it: "Voiture" brings "bagnole",
"Locataire (logement social)" brings "HLM"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nlu.stems import stems

Group = tuple[tuple[str, ...], ...]  # a lexicon group: stemmed phrases


class Lexicon:
    """Synonym groups of one language, indexed by every phrase of every group."""

    def __init__(self, synonyms: Mapping[str, tuple[str, ...]]) -> None:
        self.groups: list[Group] = []
        self._by_member: dict[tuple[str, ...], list[int]] = {}
        self._longest = 1
        # Most words of a label start no member: one set lookup skips them.
        self._first_words: set[str] = set()
        for value, examples in synonyms.items():
            canonical = tuple(stems(value))
            members = {tuple(stems(p)) for p in (value, *examples)}
            group = tuple(sorted(m for m in members if m))
            # A label calls up a group through the group's value or a one-word
            # synonym; a longer example is often a kind of the thing ("pompe à
            # chaleur" for "chauffage"), and a label "Pompe à chaleur" must not
            # take every word for heating.
            for member in group:
                if member == canonical or len(member) == 1:
                    self._by_member.setdefault(member, []).append(len(self.groups))
                    self._longest = max(self._longest, len(member))
                    self._first_words.add(member[0])
            self.groups.append(group)

    def groups_touching(self, phrases: Sequence[tuple[str, ...]]) -> list[Group]:
        """The groups whose value or one-word synonym is inside one of `phrases`."""
        found: set[int] = set()
        first_words = self._first_words
        for words in phrases:
            for start in range(len(words)):
                if words[start] not in first_words:
                    continue
                for size in range(1, min(self._longest, len(words) - start) + 1):
                    found.update(self._by_member.get(words[start : start + size], ()))
        return [self.groups[i] for i in sorted(found)]
