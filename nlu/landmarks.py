"""A commune named only as a landmark: somewhere near it, not the commune
itself ("près de Blois", "entre Tours et Amboise", "à 10 km de Gien", "near
Chartres", "Amboise, enfin à côté"). `nlu.commune` lets such a name yield to
the commune the resident lives in ("à côté de Tours, à Fondettes"), and alone
it names no commune.
"""

from __future__ import annotations

from collections.abc import Sequence

from nlu.normalize import word_set
from nlu.phrases import ends_with

# Before the name: "près de Blois", "entre Tours et Amboise", "near Chartres".
_BEFORE = (
    ("pres", "de"),
    ("pres", "d"),
    ("a", "cote", "de"),
    ("a", "cote", "d"),
    ("pas", "loin", "de"),
    ("pas", "loin", "d"),
    ("vers",),
    ("entre",),
    ("et",),
    ("between",),
    ("and",),
    ("autour", "de"),
    ("proche", "de"),
    ("near",),
    ("close", "to"),
    ("next", "to"),
    ("around",),
    ("outside",),
    ("banlieue", "de"),
    ("region", "de"),
    # "à 10 km de Gien", "20 minutes from Tours": a distance from a landmark.
    ("km", "de"),
    ("km", "d"),
    ("kms", "de"),
    ("kilometres", "de"),
    ("minutes", "de"),
    ("min", "de"),
    ("km", "from"),
    ("miles", "from"),
    ("minutes", "from"),
    ("loin", "de"),
    ("environs", "de"),
    ("alentours", "de"),
)
# After the name, the message says it is only near: "Amboise, enfin à côté",
# "Blois ou pas loin", "Tours, around there".
_NEAR_AFTER = frozenset(
    {"cote", "pres", "loin", "autour", "environs", "alentours", "nearby", "around"}
)
_NEAR_FILLER = word_set(
    "enfin a au pas juste ou bien plutot de d du la le les dans coin there the area in or"
)


def only_near(rest: Sequence[str]) -> bool:
    """Only "near" words after the name ("Amilly près de Montargis" names a landmark)."""
    return (
        0 < len(rest) <= 5
        and bool(_NEAR_AFTER.intersection(rest))
        and all(w in _NEAR_AFTER or w in _NEAR_FILLER for w in rest)
    )


def after_landmark_words(before: Sequence[str]) -> bool:
    """Whether the words `before` a name make it a landmark ("près de", "entre")."""
    return any(ends_with(before, phrase) for phrase in _BEFORE)
