"""The words an option's name is read by: stemmed, without the stopwords that
name no option, each content word alone and the whole name; and the
shortenings of a word that still name it ("elec" for "électrique").

`nlu.option_mentions` indexes options with them; `flows.synonym_checks` warns
organizers with the same `content_words`.
"""

from __future__ import annotations

from nlu.normalize import word_set
from nlu.stems import stemmed, stems

STOPWORDS = stemmed(
    word_set(
        """
        le la les l un une des de du d a au aux en et ou the an of and or to in on at
        for with par pour sur dans avec chez plus moins more less tres trop very too je
        j me mon ma mes my i c est ce ca que qui il y pas ne non no not s n t m qu is
        are it its this that ces cet cette son sa ses leur leurs our your votre vos nos
        notre by from as be tous tout toute toutes chaque every each mais donc alors
        aussi quand comme sinon parce puis but so also when
        """
    )
)
# A shortened word names the longer one from this many letters on.
PREFIX_MIN_LENGTH = 4


def content_words(name: str) -> list[str]:
    """The words of an option's name that name it alone, as `build_matcher`
    indexes them: stemmed, without stopwords (all of them if none is left)."""
    words = stems(name)
    return [w for w in words if w not in STOPWORDS] or words


def name_phrases(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The phrases a name of these stemmed `words` names its option by: the
    whole name and each of its content words."""
    content = [w for w in words if w not in STOPWORDS] or list(words)
    return [words, *((w,) for w in content)]


def shortens(word: str, longer: str) -> bool:
    """Whether `word` is a shortening of `longer` ("elec", "électrique"), read
    as a misspelt or abbreviated word names an option."""
    return (
        len(word) >= PREFIX_MIN_LENGTH and len(longer) > len(word) + 1 and longer.startswith(word)
    )
