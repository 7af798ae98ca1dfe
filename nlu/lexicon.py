"""Synonym groups of everyday words (Rasa NLU `- synonym:` items) that let a
label call up the words residents use for it: "Voiture" brings "bagnole",
"Locataire (logement social)" brings "HLM". A group widens an option only to
words no other option of the question names itself, and a group's words go to
the option that names its value when there is one (`nlu.option_mentions`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources

from nlu.stems import stems
from nlu.training_data import parse_training_data

Group = tuple[tuple[str, ...], ...]  # a lexicon group: stemmed phrases


class Lexicon:
    """Synonym groups of one language, indexed by every phrase of every group."""

    def __init__(self, synonyms: Mapping[str, tuple[str, ...]]) -> None:
        self.groups: list[Group] = []
        self.values: list[tuple[str, ...]] = []  # each group's value, stemmed
        # Each group's value and examples as written, the value first
        # ("énergies renouvelables", "éolienne", ...): what warnings name.
        self.written: list[tuple[str, ...]] = []
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
            self.values.append(canonical)
            self.written.append(tuple(dict.fromkeys((value, *examples))))

    @classmethod
    def bundled(cls, lang: str) -> Lexicon:
        """The groups of `nlu/data/<lang>/lexicon.yml` alone (none for a
        language without one), as `flows validate` warns with them."""
        path = resources.files("nlu") / "data" / lang / "lexicon.yml"
        if not (lang.isascii() and lang.isalpha() and path.is_file()):
            return cls({})
        source = f"nlu/data/{lang}/lexicon.yml"
        return cls(parse_training_data(path.read_text(encoding="utf-8"), source=source).synonyms)

    def touching(self, phrases: Sequence[tuple[str, ...]]) -> list[int]:
        """The numbers of the groups whose value or one-word synonym is inside
        one of `phrases`, in order."""
        found: set[int] = set()
        first_words = self._first_words
        for words in phrases:
            for start in range(len(words)):
                if words[start] not in first_words:
                    continue
                for size in range(1, min(self._longest, len(words) - start) + 1):
                    found.update(self._by_member.get(words[start : start + size], ()))
        return sorted(found)

    def groups_touching(self, phrases: Sequence[tuple[str, ...]]) -> list[Group]:
        """The groups whose value or one-word synonym is inside one of `phrases`."""
        return [self.groups[i] for i in self.touching(phrases)]
