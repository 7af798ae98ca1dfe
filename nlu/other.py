"""Other, please specify: the detail a resident writes after naming an option
marked `other` ("autre : la trottinette", "le covoit et autre chose, la
trottinette").

`split_other(text, question)` finds the first mention of the other option's
label or synonym (or of its first word: "autre" for "Autre (précisez)") and
returns the text up to it, to be read for options as usual, and the resident's
own words after it, without the separators and filler words that introduce
them ("chose", ":", "c'est"). "un autre bus" does not name the option.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.normalize import fold, word_set
from nlu.question import QuestionSpec

_WORD = re.compile(r"\w+", re.UNICODE)
# Words that introduce the detail rather than belong to it.
_FILLERS = word_set(
    """
    chose choses truc trucs thing things something else aussi also encore egalement
    precisez precise preciser please specify namely c est comme like genre notamment
    """
)
# "un autre bus", "une autre fois": an adjective, not the option.
_ARTICLES = frozenset({"un", "une", "another", "l", "les", "d"})
_SEPARATORS = " \t\n:;,.-–—=>()[]!*/\"'«»"


@dataclass(frozen=True, slots=True)
class OtherSplit:
    head: str  # the text up to and including the option's name
    detail: str  # the resident's words after it; never empty


def split_other(text: str, question: QuestionSpec) -> OtherSplit | None:
    """The detail written after the question's "other" option, or None when the
    option is not named or nothing follows it."""
    phrases = _phrases(question)
    if not phrases:
        return None
    words = [(fold(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]
    folded = [w for w, _, _ in words]
    for index in range(len(words)):
        if index > 0 and folded[index - 1] in _ARTICLES:
            continue
        for phrase in phrases:
            if tuple(folded[index : index + len(phrase)]) != phrase:
                continue
            end = words[index + len(phrase) - 1][2]
            detail = _detail(text[end:])
            if detail is None:
                return None
            return OtherSplit(text[:end], detail)
    return None


def _phrases(question: QuestionSpec) -> list[tuple[str, ...]]:
    """The other option's names as folded words, longest first, with the first
    word of each name alone."""
    found: set[tuple[str, ...]] = set()
    for choice in question.choices:
        if not choice.other:
            continue
        for name in choice.names:
            words = tuple(fold(w) for w in _WORD.findall(name))
            if words:
                found.add(words)
                found.add(words[:1])
    return sorted(found, key=len, reverse=True)


def _detail(rest: str) -> str | None:
    while True:
        stripped = rest.lstrip(_SEPARATORS)
        match = _WORD.match(stripped)
        if match is None or fold(match.group()) not in _FILLERS:
            break
        rest = stripped[match.end() :]
    detail = stripped.strip().rstrip(" \t\n,;")
    return detail if _WORD.search(detail) else None
