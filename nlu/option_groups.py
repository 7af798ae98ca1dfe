"""What lexicon groups add to a question's options: a group that a choice's
names call up ("voiture" calls up "bagnole", "auto") widens it to the group's
words that no option names itself, and gives the words of a group whose value
a choice names to that choice alone (`widened`); and the words groups still
leave shared between options, which `flows validate` warns of (`shared_words`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nlu.lexicon import Lexicon
from nlu.option_words import STOPWORDS, name_phrases, shortens
from nlu.stems import stems


@dataclass(frozen=True, slots=True)
class SharedWords:
    """Words that lexicon groups give several options, none of which names
    them itself nor shares a word of its own with the others: a message
    saying one of them may mean any of those options."""

    options: tuple[int, ...]  # the options' positions
    groups: tuple[int, ...]  # the lexicon groups giving them the words
    words: tuple[str, ...]  # the words, as the lexicon writes them


def shared_words(names: Sequence[Sequence[str]], lexicon: Lexicon) -> list[SharedWords]:
    """The words lexicon groups leave shared between options (`names`: each
    option's label and synonyms in one language), read as `build_matcher`
    reads them. Options that share a word of their own ("Voiture électrique",
    "Vélo électrique") are confused by that word already, not by a group."""
    own: list[set[tuple[str, ...]]] = []
    touched: list[list[int]] = []
    for option in names:
        whole = [words for words in (tuple(stems(name)) for name in option) if words]
        own.append({phrase for words in whole for phrase in name_phrases(words)})
        touched.append(lexicon.touching(whole))
    added = widened(own, touched, lexicon)
    found: dict[tuple[tuple[int, ...], tuple[int, ...]], list[str]] = {}
    for group in sorted({group for groups in touched for group in groups}):
        for written in lexicon.written[group]:
            phrase = tuple(stems(written))
            options = tuple(i for i, phrases in enumerate(added) if phrase in phrases)
            if len(options) < 2 or set.intersection(*(own[i] for i in options)):
                continue
            groups = tuple(
                sorted({g for i in options for g in touched[i] if phrase in lexicon.groups[g]})
            )
            words = found.setdefault((options, groups), [])
            if written not in words:
                words.append(written)
    return [
        SharedWords(options, groups, tuple(words)) for (options, groups), words in found.items()
    ]


def widened(
    own: Sequence[set[tuple[str, ...]]], touched: Sequence[Sequence[int]], lexicon: Lexicon
) -> list[set[tuple[str, ...]]]:
    """The phrases lexicon groups add to each option, given the phrases each
    names itself (`own`) and the groups its names call up (`touched`). A group
    widens an option only to words no option names itself ("Éoliennes" and
    "Méthanisation" both call up "énergies renouvelables", and each keeps its
    own word); the words of a group whose value an option names go to that
    option alone ("bagnole" is "Voiture", not "Covoiturage", which the group
    "voiture" lists); and of the other words, one that starts an option's own
    word is left to `ChoiceMatcher`'s reading of a shortened word ("l'éolien"
    is "Éoliennes")."""
    named_itself = set().union(*own)
    by_value = [
        _group_phrases(lexicon, [g for g in groups if lexicon.values[g] in phrases]) - named_itself
        for phrases, groups in zip(own, touched, strict=True)
    ]
    claimed = set().union(*by_value)
    own_words = {phrase[0] for phrase in named_itself if len(phrase) == 1}
    return [
        value
        | {
            phrase
            for phrase in _group_phrases(lexicon, groups) - named_itself - claimed
            if len(phrase) > 1 or not any(shortens(phrase[0], word) for word in own_words)
        }
        for value, groups in zip(by_value, touched, strict=True)
    ]


def _group_phrases(lexicon: Lexicon, groups: Sequence[int]) -> set[tuple[str, ...]]:
    """The phrases the lexicon groups numbered `groups` name an option by."""
    phrases: set[tuple[str, ...]] = set()
    for group in groups:
        for member in lexicon.groups[group]:
            phrases.add(member)
            content = [w for w in member if w not in STOPWORDS]
            if len(content) == 1 and len(member) <= 2:
                phrases.add((content[0],))
    return phrases
