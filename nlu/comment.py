"""A closed answer with a comment: "oui, surtout les conseillers
départementaux", "le bus, surtout le matin", "4, les bus sont souvent en
retard". The answer is read as usual; the rest of the message, after a clause
break (a comma, "mais", "surtout", "car", "because", ...), is the resident's
comment, kept as free text when it says something of its own.

`split_comment(text)` gives the head and the tail at the first break; the
interpreter keeps the tail as the comment only when the head alone gives the
same answer as the whole message and the tail alone gives none ("oui, enfin
non", "oui, je suis d'accord" have no comment), and when the tail has words
beyond politeness and emphasis ("oui, bien sûr merci" has none).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.normalize import tokens, word_set

# Where a comment may start: punctuation that ends a clause, or a word that
# opens one (kept in the comment: "mais seulement en semaine").
_BREAK = re.compile(
    r"\s*[,;:.!?…\n(]+\s*|\s+-\s+"
    r"|\s+(?=(?:mais|car|parce|surtout|sauf|notamment|meme|même|si|but|because|especially"
    r"|except|though|as long)\b)",
    re.IGNORECASE,
)
# Words that say nothing of their own after an answer.
_EMPTY = word_set(
    """
    bien sur sure of course absolument tout a fait evidemment carrement certainement
    vraiment clairement merci thanks thank you please svp stp ok okay d accord
    voila voilà bon ben bah euh hmm je pense crois think guess suppose
    le la les un une de du des et ou the a an and or it is c est ca that
    pas du tout mal bof non oui yes no jamais never toujours always
    """
)
MIN_COMMENT_WORDS = 2  # words beyond `_EMPTY` for a tail to be a comment
MAX_COMMENT_CHARS = 500


@dataclass(frozen=True, slots=True)
class CommentSplit:
    head: str  # the text up to the break: it must give the answer alone
    comment: str  # the resident's words after it


def split_comment(text: str) -> CommentSplit | None:
    """The text cut at its first clause break after the first word, when
    something that may be a comment follows."""
    stripped = text.strip()
    for found in _BREAK.finditer(stripped):
        head = stripped[: found.start()]
        if not tokens(head):
            continue
        tail = stripped[found.end() :].strip().rstrip(" ,;")
        if says_something(tail):
            return CommentSplit(head, tail[:MAX_COMMENT_CHARS])
        return None
    return None


def says_something(text: str) -> bool:
    """Whether `text` has words of its own, beyond politeness and emphasis."""
    return len([w for w in tokens(text) if w not in _EMPTY]) >= MIN_COMMENT_WORDS
