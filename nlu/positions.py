"""Options named by their position: "2", "la troisième", "b", "the 4th one",
"la dernière", "1, 3 et 5", "les deux premiers", "the first two", "1-3".

Words arrive stemmed (nlu.stems), so "premiers" is read as "premier".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from nlu.interpretation import Reject
from nlu.normalize import fold, word_set
from nlu.stems import stem, stemmed

_ORDINAL_WORDS: Mapping[str, int] = {
    "premier": 1, "premiere": 1, "first": 1, "1er": 1, "1ere": 1, "1re": 1,
    "deuxieme": 2, "second": 2, "seconde": 2, "2nd": 2,
    "troisieme": 3, "third": 3, "3rd": 3,
    "quatrieme": 4, "fourth": 4,
    "cinquieme": 5, "fifth": 5,
    "sixieme": 6, "sixth": 6,
    "septieme": 7, "seventh": 7,
    "huitieme": 8, "eighth": 8,
    "neuvieme": 9, "ninth": 9,
    "dixieme": 10, "tenth": 10,
}  # fmt: skip
_CARDINAL_WORDS: Mapping[str, int] = {
    "un": 1, "une": 1, "one": 1, "deux": 2, "two": 2, "trois": 3, "three": 3,
    "quatre": 4, "four": 4, "cinq": 5, "five": 5, "six": 6, "sept": 7, "seven": 7,
    "huit": 8, "eight": 8, "neuf": 9, "nine": 9, "dix": 10, "ten": 10,
}  # fmt: skip
# Compared with stemmed words: "premiers" arrives as "premier".
_FIRST_WORDS = stemmed(["premier", "premiere", "first"])
_LAST_WORDS = stemmed(["dernier", "derniere", "last"])
ORDINAL_FILLER = stemmed(
    word_set(
        """
        le la les l et and the one ones option options choix choice choices reponse
        reponses answer answers numero number num no n nr proposition propositions je
        prends prendre take pick choisis choose ou or plutot c est ca celle celui celles
        ceux id
        """
    )
)
_ORDINAL_WORDS = {stem(word): value for word, value in _ORDINAL_WORDS.items()}
_CARDINAL_WORDS = {stem(word): value for word, value in _CARDINAL_WORDS.items()}
_POSITION_RANGE = re.compile(
    r"(?:(?:les|options?|choix|de|du|from) )*(\d{1,2}) ?(?:-|a|à|au|to|through) ?(\d{1,2})"
)
_ORDINAL_TOKEN = re.compile(r"(\d{1,3})(?:er|re|ere|e|eme|ieme|em|st|nd|rd|th)?")


def position_range(text: str, count: int) -> set[int] | Reject | None:
    """Options of a range of positions ("1-3", "de 2 à 4"), if that is all the text says."""
    span = _POSITION_RANGE.fullmatch(fold(text).strip(" .!"))
    if span is None:
        return None
    first, last = int(span[1]), int(span[2])
    if not 1 <= first < last <= count:
        return Reject("out_of_range")
    return set(range(first - 1, last))


def positions(words: Sequence[str], count: int) -> list[int] | Reject | None:
    """Option indexes when the message only refers to options by position
    ("2", "la troisième", "1, 3 et 5", "les deux premiers", "the first two");
    None when it says something else too."""
    last = words[-1] if words else ""
    if len(last) == 1 and "a" <= last <= "h" and all(w in ORDINAL_FILLER for w in words[:-1]):
        letter = ord(last) - ord("a") + 1  # "b", "réponse c"
        return [letter - 1] if letter <= count else Reject("out_of_range")
    content = [w for w in words if w not in ORDINAL_FILLER]
    if not content:
        return None
    picked: list[int] = []
    position = 0
    while position < len(content):
        word = content[position]
        following = content[position + 1] if position + 1 < len(content) else None
        size = _cardinal(word)
        if size is not None and following in _FIRST_WORDS | _LAST_WORDS and size > 1:
            # "les deux premiers", "les 3 derniers"
            if size > count:
                return Reject("out_of_range")
            from_end = following in _LAST_WORDS
            picked.extend(range(count - size, count) if from_end else range(size))
            position += 2
            continue
        if word in _FIRST_WORDS | _LAST_WORDS and following is not None:
            size = _cardinal(following)
            if size is not None and size > 1:  # "the first two", "les trois dernières"
                if size > count:
                    return Reject("out_of_range")
                from_end = word in _LAST_WORDS
                picked.extend(range(count - size, count) if from_end else range(size))
                position += 2
                continue
        value = _ordinal_value(word, count)
        if value is None:
            return None
        if value < 1 or value > count:
            return Reject("out_of_range")
        picked.append(value - 1)
        position += 1
    return list(dict.fromkeys(picked)) or None


def _cardinal(word: str) -> int | None:
    if word.isdigit() and len(word) <= 3:
        return int(word)
    return _CARDINAL_WORDS.get(word)


def _ordinal_value(word: str, count: int) -> int | None:
    if word in _ORDINAL_WORDS:
        return _ORDINAL_WORDS[word]
    if word in _LAST_WORDS:
        return count
    if word in _CARDINAL_WORDS:
        return _CARDINAL_WORDS[word]
    match = _ORDINAL_TOKEN.fullmatch(word)
    return int(match[1]) if match else None


def rank_marker(word: str) -> int | None:
    """The rank a (stemmed) word gives the option next to it: "1", "1er",
    "premier", "deuxième", "3e"; None for any other word ("un" is an article)."""
    if word in _ORDINAL_WORDS:
        return _ORDINAL_WORDS[word]
    match = _ORDINAL_TOKEN.fullmatch(word)
    return int(match[1]) if match and len(match[1]) <= 2 else None
