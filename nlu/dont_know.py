""" "I don't know" said as the whole answer: "jsp", "aucune idée", "je sais pas
trop", "no clue tbh", "alors là je saurais pas dire".

Such a message names no value, whatever words it contains: "aucune idée" is
not 0 ("aucune") and not the option "Aucun"; "je sais pas" is never a request
for help. On a question that offers a "don't know" option ("Je ne sais pas",
"Sans avis", "No opinion") it picks that option; anywhere else it is re-asked.

A message is a don't-know when, once fillers ("euh", "franchement", "dsl",
"tbh") are set aside, it is made of don't-know phrases only: "je sais pas si
le bus passe" says more and is left to the question's parser.
"""

from __future__ import annotations

from collections.abc import Sequence

from nlu.normalize import tokens, word_set
from nlu.phrases import PhraseIndex

_PHRASE_TEXTS = (
    # French, with the spellings of phones
    *("je ne sais pas", "je sais pas", "j sais pas", "jsais pas", "sais pas", "jsp"),
    *("chais pas", "chai pas", "chepa", "chpa", "je ne sais", "ne sait pas", "nsp"),
    *("ne sais pas", "ne sais", "sais pas trop", "je sais pas trop"),
    *("je ne sais plus", "je sais plus", "j sais plus", "jsais plus", "sais plus"),
    *("aucune idee", "aucun idee", "aucune idee du tout", "pas la moindre idee"),
    *("j en sais rien", "je n en sais rien", "j en sais trop rien", "sais rien"),
    *("j en ai aucune idee", "j en ai pas la moindre idee", "j ai aucune idee"),
    *("je n en ai pas la moindre idee", "je n ai pas la moindre idee"),
    *("j ai pas la moindre idee",),
    *("je n en ai aucune idee", "je n ai aucune idee", "aucune espece d idee"),
    *("je saurais pas dire", "je ne saurais pas dire", "je ne saurais dire"),
    *("je saurais pas", "je ne saurais pas", "difficile a dire", "dur a dire"),
    *("je ne suis pas sur", "je suis pas sur", "je ne suis pas sure"),
    *("je suis pas sure", "pas sur", "pas sure", "mystere", "j ignore"),
    *("je ne me prononce pas", "je me prononce pas", "sans avis", "pas d avis"),
    # English
    *("i don t know", "i dont know", "i do not know", "don t know", "dont know"),
    *("i don t really know", "i really don t know", "dunno", "idk", "idek", "dk"),
    *("no idea", "i have no idea", "i ve no idea", "no clue", "not a clue"),
    *("i have no clue", "haven t a clue", "not sure", "i m not sure", "im not sure"),
    *("i am not sure", "not certain", "beats me", "who knows", "can t say"),
    *("cannot say", "hard to say", "hard to tell", "no opinion", "i can t tell"),
    *("i don t remember", "i do not remember", "i can t remember", "i forgot"),
)
_PHRASES = PhraseIndex.of(_PHRASE_TEXTS)
_FILLERS = word_set(
    """
    euh heu hum hmm bah ben beh bof ah oh alors la franchement honnetement
    vraiment trop du tout dsl desole desolee mdr lol ptdr et bon bien
    pfff pff encore exactement sorry tbh honestly really well um uh erm at all
    yet ok just tho though mais so actually quite totally
    """
)
# Every word a don't-know can be made of. A phrase covers only its own words,
# so a message with any other word is no don't-know: most messages are told
# so by this set, without the phrase search.
_VOCABULARY = frozenset(word for phrase in _PHRASE_TEXTS for word in tokens(phrase)) | _FILLERS
# Beyond this, a message says more than "I don't know".
_MAX_WORDS = 12
# Characters read: a "don't know" is short.
DONT_KNOW_CHARS = 200


def says_dont_know(text: str) -> bool:
    """Whether `text` is only a "don't know", fillers aside."""
    return says_dont_know_words(tokens(text[:DONT_KNOW_CHARS]))


def says_dont_know_words(words: Sequence[str]) -> bool:
    """`says_dont_know` of the `tokens` of a text's first `DONT_KNOW_CHARS`
    characters (a caller that has them spares folding the text again)."""
    if not words or len(words) > _MAX_WORDS or not _VOCABULARY.issuperset(words):
        return False
    return _only_phrases([w for w in words if w not in _FILLERS]) or _phrases_and_fillers(words)


def _only_phrases(words: Sequence[str]) -> bool:
    if not words:
        return False
    found = _PHRASES.find(words)
    return sum(f.end - f.start for f in found) == len(words)


def _phrases_and_fillers(words: Sequence[str]) -> bool:
    """Whether phrases found in the words as typed leave only fillers: a filler
    can be a phrase's own word ("la" of "pas la moindre idée"), so setting
    fillers aside first may break the phrase ("euh pas la moindre idée")."""
    found = _PHRASES.find(words)
    if not found:
        return False
    covered = {position for f in found for position in range(f.start, f.end)}
    return all(w in _FILLERS for position, w in enumerate(words) if position not in covered)


def is_dont_know_label(label: str) -> bool:
    """Whether an option's label is a "don't know" ("Je ne sais pas", "Ne sait
    pas", "Sans avis", "Don't know", "No opinion")."""
    return says_dont_know(label)
