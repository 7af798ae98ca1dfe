"""A resident asking to change one answer by its number: "modifier la question
5", "je veux changer ma réponse 3", "change answer 12", "corriger la n°7". Read
from the text itself at any point of a consultation; `None` when it is not such
a request."""

from __future__ import annotations

import re

from nlu.normalize import fold

_VERB = r"(?:modifier|modifie|modif|changer|change|corriger|corrige|revoir|edit|modify|correct|fix)"
_CHANGE = re.compile(
    _VERB + r"\b\W*(?:(?:la|ma|le|mon|the|my)\W+)?"
    r"(?:question|reponse|answer|q|n|no|numero|num|number)\W*"
    r"(?:(?:n|no|numero|num|number)\W*)?(\d{1,3})\b"
)
_SLASH = re.compile(r"^/" + _VERB + r"\s*(\d{1,3})$")


def change_request(text: str) -> int | None:
    """The number of the question to change, or None."""
    if len(text) > 120:
        return None  # a long message is an answer that happens to say "changer 2 fois"
    folded = fold(text.strip())
    match = _SLASH.match(folded) or _CHANGE.search(folded)
    if match is None:
        return None
    number = int(match[1])
    return number if number >= 1 else None
