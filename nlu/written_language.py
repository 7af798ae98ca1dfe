"""The language a first message is written in, when nothing else says it.

A REST client or a web page may not say which language a resident speaks, and
before they have answered anything their first message is the only clue: a
greeting says it ("hello", "bonjour": nlu.greetings), else its small words do.
"I want to give my opinion on buses" is English by "i", "want", "to", "my";
"je voudrais donner mon avis" French. Words both languages write ("on", "a",
"me", "car", "an", "or", "but", "pour", "ai") count for neither, and a message
needs two words of one language and more than twice as many as of the other:
"bus", "ok" or "le bus is late" say nothing, and the deployment's default
language is kept.
"""

from __future__ import annotations

from collections.abc import Mapping

from nlu.greetings import Greetings
from nlu.normalize import tokens, word_set

_READ_CHARS = 200  # the opening of the message says its language
_SMALL_WORDS: Mapping[str, frozenset[str]] = {
    "en": word_set(
        """
        i im you your we our they their she it its is are am was were be been
        the and if so to of for with about from at in into this that these
        those there here what how why when where which who want would like
        please can could do does did not have has need more should will my
        give think just all some any very too also no yes thanks
        """
    ),
    "fr": word_set(
        """
        je j tu il elle nous vous ils elles le la les l un une des du de d et est
        sont suis es sommes etes avons avez ont avec sans sur dans chez mon ma
        mes ton ta tes votre vos notre nos leur leurs ce cet cette ces c qu que
        qui quoi pas ne n veux voudrais voudrait peux pouvez faut mais ou donc
        au aux moi toi oui non merci tres aussi
        """
    ),
}
_ENOUGH = 2  # words of one language, at the least
_MARGIN = 2  # and more than this many times the other's


def written_language(text: str, greetings: Greetings) -> str | None:
    """The language `text` is clearly written in ("fr", "en"), else None."""
    greeted = greetings.language(text)
    if greeted is not None:
        return greeted
    words = tokens(text[:_READ_CHARS])
    counts = {lang: sum(word in small for word in words) for lang, small in _SMALL_WORDS.items()}
    for lang, count in counts.items():
        others = sum(n for other, n in counts.items() if other != lang)
        if count >= _ENOUGH and count > _MARGIN * others:
            return lang
    return None
