"""Whole numbers in an answer: digits ("1 200 €"), words in French and English
("vingt et un", "two hundred"), ratings ("4/5", "8 sur 10", "⭐⭐⭐"), and the
everyday ways of saying 0 or 1 ("aucune", "jamais", "juste moi").

An answer gives one number. Several different numbers ("7 ou 8", "entre 20 et
30") are ambiguous and vague quantities ("une dizaine", "quelques", "moins de
10") are rejected, so the bot asks for a precise figure instead of storing a
guess. A figure given as an estimate ("environ 15", "à peu près 600 €", "about
40") is that figure. A count in parts ("deux adultes et un enfant") and a
number read out of a long sentence are put to the resident to confirm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from text_to_num import alpha2digit

from nlu.durations import Duration, NumberUnit, in_unit, read_duration
from nlu.interpretation import Answer, Candidate, Confirm, Reject
from nlu.normalize import MAX_PARSED_CHARS, fold, tokens, word_set
from nlu.phrases import PhraseIndex

_APPROXIMATE_WORDS = frozenset(
    word_set(
        """
        dizaine douzaine quinzaine vingtaine trentaine quarantaine cinquantaine
        soixantaine centaine centaines millier milliers
        quelques plusieurs beaucoup plein tas masse pleins
        several many lots dozen dozens some nombreux nombreuses quelque certain
        certains certaine certaines
        """
    )
)
_APPROXIMATE_PHRASES = PhraseIndex.of(["a few", "a lot", "entre deux", "in between"])
_ZERO_WORDS = frozenset(
    word_set(
        """
    zero aucun aucune none nobody jamais never rien nothing
    """
    )
)
# "j'en ai pas", "i don't have any": none of what was asked.
_ZERO_PHRASES = PhraseIndex.of(
    [
        *("j en ai pas", "j en ai aucun", "je n en ai pas", "j en ai point", "pas un seul"),
        *("pas une seule", "j en ai zero", "y en a pas", "il y en a pas", "il n y en a pas"),
        *("i don t have any", "i dont have any", "i do not have any", "i have none"),
        *("not a single one", "not one", "there are none", "there aren t any"),
    ]
)
# "une trentaine" written "30aine": about 30, not 30.
_ABOUT_SUFFIX = re.compile(r"\d ?aines?\b")
# "3 et demi", "3 and a half": not a whole number.
_FRACTION = re.compile(r"\d (?:et|and) (?:a |an |one )?(?:demi|demie|half|quart|quarter)\b")
_ONE_PHRASES = PhraseIndex.of(
    [
        *("juste moi", "moi seul", "moi seule", "que moi", "seulement moi", "just me"),
        *("only me", "me alone", "je vis seul", "je vis seule", "i live alone"),
        *("tout seul", "toute seule"),
    ]
)
_COUPLE = re.compile(r"^(?:moi|me|myself) (?:et|and|\+) (?:ma|mon|my) [a-z]+$")
_MAX_WORDS = frozenset(
    word_set(
        """
        max maximum maxi meilleure meilleur top parfait parfaite best highest
        """
    )
)
_MIN_WORDS = frozenset(["min", "minimum", "mini", "pire", "worst", "lowest"])
# "4/5", "8 sur 10", "4 out of 5": the first figure is the rating.
_RATIO = re.compile(
    r"(\d{1,6}) ?(?:(?:etoiles?|stars?|points?|pts?) )?(?:/|sur|out of|on) ?(\d{1,6})"
)
_RANGE = re.compile(
    r"(?:entre|between) \d{1,9} (?:et|and) \d{1,9}"
    r"|\d{1,9} ?(?:ou|or|a|to|-|/) ?\d{1,9}(?! ?\d)"
)
# Thousands written with spaces or dots ("1 200", "10.000"), then plain numbers,
# with an optional decimal part so that "3,5" is seen as not whole.
_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:[ .]\d{3})+|\d+)(?:[.,](\d+))?(?![\d])")
# A minus sign that opens the message or follows a space ("-5", "moins -3"),
# not one inside a word ("aller-retour").
_MINUS = re.compile(r"(?:^|\s)- ?$")
# "moins de 10", "plus de 50", "at least 3": a bound, not a figure.
_BOUND = re.compile(
    r"\b(?:moins|plus|less|more|over|under|au moins|at least|au plus|at most|jusqu a|up to"
    r"|pas loin|presque|quasiment|quasi|almost|nearly|bientot|soon|bientot plus de)"
    r" (?:de |d |than |que )?\d"
    # after the figure: "12 max", "20 minimum", "3 ou plus", "10 at most"
    r"|\d (?:max|maxi|maximum|minimum|au plus|au moins|ou plus|et plus|ou moins|or more"
    r"|or less|at most|at least|tops|grand max)\b"
)
_STARS = "⭐★🌟✩☆"
# "deux adultes et un enfant", "2 kids + 1 baby": a count given in parts.
_PART = (
    r"(?:\d{1,3}|un|une|one|deux|two|trois|three|quatre|four|cinq|five|six|sept|seven|huit|eight)"
)
_PARTS = re.compile(
    rf"^{_PART} [a-z]+(?: [a-z]+)?(?: (?:et|and|plus) {_PART} [a-z]+(?: [a-z]+)?)+$"
)
_PART_WORDS = {
    "un": 1, "une": 1, "one": 1, "deux": 2, "two": 2, "trois": 3, "three": 3, "quatre": 4,
    "four": 4, "cinq": 5, "five": 5, "six": 6, "sept": 7, "seven": 7, "huit": 8, "eight": 8,
}  # fmt: skip
# A number in a sentence longer than this is confirmed before it is stored.
_SENTENCE_WORDS = 10
_WEAK_ONE = "unune"  # placeholder for a lone "un"/"une"/"one", which is often an article
_ARTICLE_ONE = re.compile(r"(?<![a-z-])(?<!et )(un|une|one)(?![a-z-])")


@dataclass(frozen=True, slots=True)
class NumberReading:
    """Every number found, in order, and what else the message said about them."""

    values: tuple[int, ...]
    weak_one: bool = False
    approximate: bool = False
    has_range: bool = False
    decimal: bool = False
    ratio: tuple[int, int] | None = None  # "8 sur 10" -> (8, 10)


def read_numbers(text: str, lang: str) -> NumberReading:
    """All whole numbers of `text` (words converted), in order of appearance."""
    # "+/- 12", "± 12": about 12, not minus 12.
    folded = fold(text[:MAX_PARSED_CHARS].replace("+/-", " ~ ").replace("±", " ~ "))
    words = tokens(folded)
    approximate = (
        bool(_APPROXIMATE_WORDS.intersection(words))
        or _APPROXIMATE_PHRASES.occurs_in(words)
        or _ABOUT_SUFFIX.search(folded) is not None
    )
    marked = _ARTICLE_ONE.sub(_WEAK_ONE, folded)
    try:
        converted = alpha2digit(marked, "fr" if lang == "fr" else "en", threshold=0)
    except Exception:  # text2num may fail on odd input; digits alone still count
        converted = marked
    spaced = " ".join(re.findall(r"[a-z]+|\d+(?:[ .]\d{3})*(?:[.,]\d+)?|[/~+-]", converted))
    weak_one = _WEAK_ONE in spaced.split()
    values: list[int] = []
    decimal = _FRACTION.search(folded) is not None
    for match in _NUMBER.finditer(spaced):
        if match[2]:
            decimal = True
            continue
        value = int(re.sub(r"[ .]", "", match[1]))
        negative = spaced[max(0, match.start() - 2) : match.start()] in ("- ", " -") or (
            match.start() >= 1 and spaced[match.start() - 1] == "-"
        )
        values.append(-value if negative and _MINUS.search(spaced[: match.start()]) else value)
    ratio = _RATIO.search(spaced)
    bound = _BOUND.search(spaced)
    has_range = bool(_RANGE.search(spaced)) and ratio is None
    return NumberReading(
        values=tuple(values),
        weak_one=weak_one,
        approximate=approximate or bound is not None,
        has_range=has_range,
        decimal=decimal,
        ratio=(int(ratio[1]), int(ratio[2])) if ratio else None,
    )


def parse_number(
    text: str,
    lang: str,
    low: int | None,
    high: int | None,
    *,
    scale: bool = False,
    unit: NumberUnit | None = None,
) -> Answer | Reject | Confirm:
    """The one whole number that `text` gives, within [low, high], in the
    question's `unit` when the text gives a duration."""
    if _is_plain_figure(text):
        # Digits alone, the usual answer: no words, stars, parts, range or
        # sign to read, so the readers below would find this one figure.
        figure = int(text)
        return Answer(figure) if _within(figure, low, high) else Reject("out_of_range")
    duration = None if scale else read_duration(text, lang)
    if duration is not None and (duration.hours or unit == "hours"):
        # "une demi-heure" is no 1, "2 heures" no 2: read before the figures.
        value = _duration_in_unit(duration, unit)
        if isinstance(value, Reject):
            return value
        return _taken(value, text, low, high)
    parts = _sum_of_parts(text)
    if parts is not None:
        return (
            Confirm((Candidate(parts),), "sum")
            if _within(parts, low, high)
            else (Reject("out_of_range"))
        )
    value = _single_number(text, lang, low, high, scale=scale)
    if isinstance(value, Reject):
        return value
    return _taken(value, text, low, high)


def _taken(value: int, text: str, low: int | None, high: int | None) -> Answer | Reject | Confirm:
    """`value` as read from `text`: out of range, confirmed when read out of a
    long sentence, else the answer."""
    if not _within(value, low, high):
        return Reject("out_of_range")
    if len(tokens(text[:MAX_PARSED_CHARS])) > _SENTENCE_WORDS:
        return Confirm((Candidate(value),), "sentence")
    return Answer(value)


def _duration_in_unit(duration: Duration, unit: NumberUnit | None) -> int | Reject:
    """A duration as a number of the question's unit. Without a unit it is asked
    again: "1h30" is neither 1 nor 30, and 90 only if the question counts
    minutes. So is a duration that is no whole number of the unit ("90 min" for
    hours), and one that is a bound or one of several ("1h ou 1h30")."""
    if duration.bound:
        return Reject("approximate")
    if duration.minutes is None:
        return Reject("ambiguous")
    if unit is None:
        return Reject("not_understood")
    value = in_unit(duration.minutes, unit)
    return Reject("not_understood") if value is None else value


# Longest run of digits read without the readers: well within MAX_PARSED_CHARS.
_PLAIN_FIGURE_DIGITS = 15


def _is_plain_figure(text: str) -> bool:
    """Whether `text` is ASCII digits only ("4", "45000")."""
    return len(text) <= _PLAIN_FIGURE_DIGITS and text.isascii() and text.isdigit()


def _within(value: int, low: int | None, high: int | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _sum_of_parts(text: str) -> int | None:
    """The total of a count given in parts, or None."""
    words = " ".join(tokens(text[:MAX_PARSED_CHARS].replace("+", " plus ")))
    if len(words) > 120:
        return None
    if not _PARTS.fullmatch(words):
        return _parts_listed(words.split()) or _household(words.split())
    found = re.findall(rf"(?:^|(?<=et )|(?<=and )|(?<=plus )){_PART}\b", words)
    values = [int(w) if w.isdigit() else _PART_WORDS[w] for w in found]
    return sum(values) if len(values) >= 2 else None


# Units are not parts of a count: "12 km 3 fois" is two figures, not 15.
_UNIT_WORDS = word_set(
    """
    km kms kilometre kilometres m metre metres min mn minute minutes h heure heures hour hours
    eur euro euros fois times an ans annee annees year years jour jours day days semaine
    semaines week weeks mois month months pourcent percent
    """
)
# Words after a figure that make it no part of a count: "2 sur 5", "3 ou 4".
_NOT_NOUNS = word_set(
    """
    sur out of on ou or a au aux en de des du par per pour for to pas not plus moins more less
    fois x
    """
)
_LEAD_INS = (("on", "est"), ("nous", "sommes"), ("we", "are"), ("there", "are"), ("il", "y", "a"))


def _count(word: str) -> int | None:
    if word.isdigit() and len(word) <= 3:
        return int(word)
    return _PART_WORDS.get(word)


def _parts_listed(words: list[str]) -> int | None:
    """A count in parts listed without "et" between every part: "2 grown ups 2
    kids", "3 adultes, 1 ado et 2 petits", "on est 2 adultes + 1 bébé"."""
    for lead in _LEAD_INS:
        if tuple(words[: len(lead)]) == lead:
            words = words[len(lead) :]
            break
    if len(words) > 14:
        return None
    values: list[int] = []
    position = 0
    while position < len(words):
        value = _count(words[position])
        if value is None or position + 1 >= len(words) or not words[position + 1].isalpha():
            return None
        noun = words[position + 1]
        if _count(noun) is not None or noun in _JOINS or noun in _UNIT_WORDS or noun in _NOT_NOUNS:
            return None
        values.append(value)
        position += 2
        if (
            position < len(words)
            and words[position] not in _JOINS
            and words[position] not in _NOT_NOUNS
            and _count(words[position]) is None
        ):
            position += 1  # a second word of the part: "grown ups", "petits enfants"
        if position < len(words) and words[position] in _JOINS:
            position += 1
    return sum(values) if len(values) >= 2 else None


_SELF = frozenset({"moi", "me", "myself", "i"})
_ONE_OF = frozenset({"mon", "ma", "my", "un", "une", "a", "an"})
_SOME_OF = frozenset({"mes", "nos", "our", "my", "les", "the", "leurs"})
_JOINS = frozenset({"et", "and", "plus", "avec", "with"})


def _household(words: list[str]) -> int | None:
    """The people of a household counted one by one: "moi, ma femme et nos 2
    enfants" is 4, "me and my 3 kids" is 4; None when the words are anything else."""
    if not 3 <= len(words) <= 14 or not _SELF.intersection(words[:1]):
        return None
    total, position = 1, 1
    while position < len(words):
        word = words[position]
        following = words[position + 1 : position + 3]
        if word in _JOINS:
            position += 1
        elif word in _SOME_OF and len(following) == 2 and following[0].isdigit():
            total, position = total + int(following[0]), position + 3
        elif word.isdigit() and following[:1] and following[0].isalpha():
            total, position = total + int(word), position + 2
        elif word in _PART_WORDS and following[:1] and following[0].isalpha():
            total, position = total + _PART_WORDS[word], position + 2
        elif word in _ONE_OF and following[:1] and following[0].isalpha():
            total, position = total + 1, position + 2
        else:
            return None
    counted = any(w.isdigit() or w in _PART_WORDS for w in words)
    return total if total > 2 or (total == 2 and counted) else None  # "moi et ma femme": 2


def _single_number(
    text: str, lang: str, low: int | None, high: int | None, *, scale: bool
) -> int | Reject:
    stars = sum(text.count(star) for star in _STARS)
    if not stars and scale and 1 <= len(text.strip()) <= 10 and set(text.strip()) == {"*"}:
        stars = len(text.strip())  # "****": stars typed on a keyboard
    reading = read_numbers(text, lang)
    if stars and not reading.values:
        return stars
    if reading.approximate:
        return Reject("approximate")
    if reading.ratio is not None:
        if len(set(reading.values) - set(reading.ratio)) > 0:
            return Reject("ambiguous")  # "4/5 voire 3"
        return _rated(reading.ratio, low, high)
    if reading.has_range:
        return Reject("ambiguous")
    distinct = set(reading.values)
    if len(reading.values) > 1:
        return Reject("ambiguous")  # "7 ou 8", "2 adultes et 2 enfants"
    if reading.decimal:
        return Reject("not_understood")  # "3,5", "3 et demi": not a whole number
    if distinct:
        return distinct.pop()
    words = tokens(text[:MAX_PARSED_CHARS])
    if scale and _MAX_WORDS.intersection(words) and high is not None:
        return high
    if scale and _MIN_WORDS.intersection(words) and low is not None:
        return low
    if _ZERO_WORDS.intersection(words) or _ZERO_PHRASES.occurs_in(words):
        return 0
    if _ONE_PHRASES.occurs_in(words):
        return 1
    if _COUPLE.match(" ".join(words)):
        return 2
    if reading.weak_one and len(words) <= 3:
        return 1  # "une fois", "un seul"; in a longer message "un" is an article
    return Reject("not_understood")


def _rated(ratio: tuple[int, int], low: int | None, high: int | None) -> int | Reject:
    """ "8 sur 10" on a 0-10 scale is 8; a rating on another scale ("8 sur 10"
    on a 1-5 scale) is out of range: never rescaled silently."""
    value, out_of = ratio
    if high is None or out_of in (high, 0) or value > out_of:
        return value
    return Reject("out_of_range")
