"""Options that are ranges of numbers ("Moins de 18 ans", "18 à 25 ans",
"Plus de 60 ans"; "1 à 2 fois par semaine"): a resident who gives a number
("j'ai 22 ans", "deux fois par semaine") picks the option whose range holds it.

A bare small number ("2") still names an option by its position, as buttons are
numbered; a number with a unit ("22 ans") or past the last position is a value.

On age ranges a birth year answers too: "né en 1962" is the range of 63 and 64
(the age depends on the birthday, so the range must hold both, else the
resident is asked which). A bare year ("1962") is no age: the range it would
give is put to the resident to confirm.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from nlu.interpretation import Reject
from nlu.normalize import fold, word_set
from nlu.numbers import read_numbers

Range = tuple[float, float]  # inclusive bounds

_BELOW = re.compile(r"(?:moins de|under|less than|below|<) ?(\d{1,6})")
_ABOVE = re.compile(r"(?:plus de|over|more than|above|>) ?(\d{1,6})")
_AND_MORE = re.compile(
    r"(\d{1,6}) ?[a-z€%]{0,10} ?(?:et plus|ou plus|and over|and more|or more|\+)"
)
# The words `_AND_MORE` needs, looked for first: that pattern retries its
# unit at every digit, three times the cost of all the others together.
_AND_MORE_CUE = re.compile(r"et plus|ou plus|and over|and more|or more|\+")
_BETWEEN = re.compile(r"(\d{1,6}) ?[a-z€%]{0,10} ?(?:-|a|au|et|to|and) ?(\d{1,6})")
_ALONE = re.compile(r"(\d{1,6})")
_DIGIT = re.compile(r"\d")
_UNITS = word_set(
    """
    an ans annee annees year years yo km kilometre kilometres fois times eur euro euros
    personne personnes people person enfant enfants kids children minute minutes min h
    heure heures hour hours jour jours day days nuit nuits night nights semaine semaines
    mois month months
    """
)


def label_range(label: str) -> Range | None:
    """The numbers an option's label covers, if it is a range of numbers."""
    return folded_label_range(fold(label))


def folded_label_range(text: str) -> Range | None:
    """`label_range` of a label already folded (options are folded once)."""
    if _DIGIT.search(text) is None:
        return None  # most labels: "Voiture", "Plutôt d'accord"
    between = _BETWEEN.search(text)
    if between is not None:
        return float(between[1]), float(between[2])
    and_more = _AND_MORE.search(text) if _AND_MORE_CUE.search(text) else None
    if and_more is not None:
        return float(and_more[1]), math.inf
    below = _BELOW.search(text)
    if below is not None:
        return -math.inf, float(below[1]) - 1
    above = _ABOVE.search(text)
    if above is not None:
        return float(above[1]) + 1, math.inf
    alone = _ALONE.fullmatch(text.strip())
    return (float(alone[1]), float(alone[1])) if alone else None


_BORN = re.compile(r"\b(?:ne|nee|born|naissance|birth|annee de naissance)\b")
_OLDEST = 120  # ages past this are no ages


@dataclass(frozen=True, slots=True)
class BirthYear:
    """Options a birth year gives on age ranges, and whether it was said as one."""

    options: tuple[int, ...]  # one or two (the age depends on the birthday)
    said: bool  # "né en 1962" rather than a bare "1962"


def option_for_value(
    text: str, lang: str, ranges: Sequence[Range | None], today: dt.date
) -> int | Reject | BirthYear | None:
    """The option whose range holds the number `text` gives; None when the
    options are no ranges or the text gives no number meant as a value."""
    if sum(r is not None for r in ranges) < 2:
        return None
    born = _birth_year(text, lang, ranges, today)
    if born is not None:
        return born
    decade = _decade(text, ranges)
    if decade is not None:
        return decade
    said = label_range(text)
    if said is not None and said[0] != said[1]:
        # "plus de 60", "18-25 ans": the resident repeats a range.
        same = [i for i, r in enumerate(ranges) if r == said]
        return same[0] if len(same) == 1 else None
    reading = read_numbers(text, lang)
    has_unit = bool(_UNITS.intersection(fold(text).replace("'", " ").split()))
    if reading.approximate and (reading.values or reading.weak_one):
        return Reject("approximate")  # "environ 4 fois": which option is that?
    if reading.has_range or reading.ratio is not None:
        return None
    if not reading.values and reading.weak_one and has_unit:
        value = 1  # "une fois par semaine"
    elif len(set(reading.values)) == 1:
        value = reading.values[0]
    else:
        return None
    if not has_unit and 1 <= value <= len(ranges):
        return None  # "2": the second option
    if not has_unit and value > _OLDEST and _ages(ranges):
        return Reject("out_of_range")  # "150" is no age, though "65 and over" would hold it
    holding = [i for i, r in enumerate(ranges) if r is not None and r[0] <= value <= r[1]]
    if len(holding) == 1:
        return holding[0]
    return Reject("ambiguous") if holding else Reject("out_of_range")


# An age said by its decade: "la quarantaine", "trentenaire", "in my forties".
_DECADES = {
    "vingtaine": 20, "trentaine": 30, "quarantaine": 40, "cinquantaine": 50,
    "soixantaine": 60, "septantaine": 70, "soixante dizaine": 70, "quatre vingtaine": 80,
    "twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60,
    "seventies": 70, "eighties": 80,
}  # fmt: skip
_DECADE_NOUNS = {
    "trentenaire": 30, "quadragenaire": 40, "quadra": 40, "quinquagenaire": 50, "quinqua": 50,
    "sexagenaire": 60, "septuagenaire": 70, "octogenaire": 80, "nonagenaire": 90,
}  # fmt: skip
# "une trentaine" is a count; "la trentaine", "ma quarantaine", "in my forties" an age.
_DECADE = re.compile(
    r"\b(?:la|ma|sa|dans la|in my|in their|in his|in her|my early|my late|my mid)"
    r" (" + "|".join(_DECADES) + r")\b"
    r"|\b(" + "|".join(_DECADE_NOUNS) + r")s?\b"
)


def _ages(ranges: Sequence[Range | None]) -> bool:
    finite = [r for r in ranges if r is not None]
    return bool(finite) and max(r[0] for r in finite) <= _OLDEST and min(r[1] for r in finite) >= 10


def _decade(text: str, ranges: Sequence[Range | None]) -> int | Reject | None:
    """The option holding a whole decade of age, when the options are ages."""
    found = _DECADE.search(fold(text).replace("'", " "))
    if found is None or not _ages(ranges):
        return None
    low = _DECADES.get(found[1] or "", 0) or _DECADE_NOUNS.get(found[2] or "", 0)
    holding = [i for i, r in enumerate(ranges) if r is not None and r[0] <= low and low + 9 <= r[1]]
    return holding[0] if len(holding) == 1 else Reject("ambiguous")


def _birth_year(
    text: str, lang: str, ranges: Sequence[Range | None], today: dt.date
) -> BirthYear | None:
    finite = [r for r in ranges if r is not None]
    if not finite or max(r[0] for r in finite) > _OLDEST:
        return None  # not ages
    reading = read_numbers(text, lang)
    said = bool(_BORN.search(fold(text)))
    values = list(reading.values)
    if said and len(values) > 1:
        # "né le 3 mars 1980": the year is the one four-figure number.
        values = [v for v in values if v >= 1000] or values
    if said and len(values) == 1 and 0 <= values[0] <= 99:
        # "né en 70": a year of the last century, or of this one ("né en 05").
        century = 2000 if values[0] <= today.year % 100 else 1900
        values = [century + values[0]]
    years = [v for v in values if today.year - _OLDEST <= v <= today.year]
    if len(values) != 1 or not years:
        return None
    ages = (today.year - years[0] - 1, today.year - years[0])
    options = []
    for age in ages:
        holding = [i for i, r in enumerate(ranges) if r is not None and r[0] <= age <= r[1]]
        if len(holding) != 1:
            return None
        options.append(holding[0])
    return BirthYear(tuple(dict.fromkeys(options)), said)
