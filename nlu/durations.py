"""Durations in an answer, in minutes: "une demi-heure", "1h30", "1 h 15", "une
heure et quart", "trois quarts d'heure", "2 heures", "an hour and a half", "half
an hour", "90 min".

A number question may count minutes or hours (`unit` in its flow); a duration
is converted to it, so that "une demi-heure" is 30 minutes and never 1. This
module only reads the duration; `nlu.numbers` decides what to store.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from typing import Literal, TypeAlias

from text_to_num import alpha2digit

from nlu.normalize import MAX_PARSED_CHARS, fold

# What a number question counts, when its flow says (`unit:`).
NumberUnit: TypeAlias = Literal["minutes", "hours"]

_AMOUNT = r"(\d+(?:[.,]\d+)?|un|une|one|a|an)"
_HOUR = r"(?:h|hr|hrs|heure|heures|hour|hours)"
_MINUTE = r"(?:min|mins|mn|minute|minutes)"
# "une bonne demi-heure", "20 petites minutes", "a good hour": the same duration.
_SO = r"(?:(?:bonnes?|petites?|grosses?|good|full) )?"
# "1 h 30", "1 heure et 15 minutes", "2 heures et quart", "an hour and a half".
_HOURS = re.compile(
    rf"\b{_AMOUNT} {_SO}{_HOUR}"
    rf"(?: (?:et|and) (?:a |1 )?(demi|demie|half|quart|quarter)"
    rf"| (?:et |and )?(\d{{1,2}})(?: {_MINUTE})?)?\b"
)
_HALF_HOUR = re.compile(rf"\b(?:(?:une|un|1|a) )?{_SO}(?:demi heures?|half (?:an |a )?hour)\b")
# "trois quarts d'heure", "a quarter of an hour", "3/4 d'heure" (made "3 quarts").
_QUARTERS = re.compile(
    rf"\b(?:(\d|un|une|one|a) )?{_SO}(?:quarts?|quarters?)"
    r" (?:d heures?|of an hour|of a hour|hour)\b"
)
_MINUTES = re.compile(rf"\b(\d+) {_SO}{_MINUTE}\b")
_ARTICLES = frozenset({"un", "une", "one", "a", "an"})
# "1/2 heure", "3/4 d'heure": fractions said as words, before words become digits.
_FRACTIONS = (
    (re.compile(r"\b1 ?/ ?2\b"), " demi "),
    (re.compile(r"\b1 ?/ ?4\b"), " 1 quart "),
    (re.compile(r"\b3 ?/ ?4\b"), " 3 quarts "),
)
# A figure left once the durations are taken out: "10 min a pied ou 5 en velo".
_FIGURE = re.compile(r"\d")
_TAKEN = " ~ "  # what a duration read is replaced with
# "plus d'une heure", "1h max": a bound, not a duration.
_BOUND = re.compile(
    r"\b(?:plus|moins|more|less|over|under|au moins|at least|au plus|at most|jusqu a|up to"
    r"|presque|quasiment|almost|nearly) (?:de |d |than |que )?~"
    r"|~ (?:max|maxi|maximum|minimum|au plus|au moins|ou plus|et plus|ou moins|or more"
    r"|or less|at most|at least|tops)\b"
)
# Half hours and quarters first: "half an hour" holds "an hour", which is not it.
_ALL = (_HALF_HOUR, _QUARTERS, _HOURS, _MINUTES)


@dataclass(frozen=True, slots=True)
class Duration:
    """A duration read from a message. `minutes` is None when a duration is
    named but no single one can be read ("1h ou 1h30", "1,5 minute");
    `hours` says whether hours, half hours or quarters were named, which only
    a question counting in a known unit can convert."""

    minutes: int | None
    hours: bool
    bound: bool = False  # "plus d'une heure", "2h max": not a duration to store


def read_duration(text: str, lang: str) -> Duration | None:
    """The one duration `text` gives, or None when it names no time unit."""
    spaced = _spaced(text, lang)
    found: list[int | None] = []
    hours = False
    for pattern in _ALL:
        for match in pattern.finditer(spaced):
            found.append(_minutes(pattern, match))
            hours = hours or pattern is not _MINUTES
        spaced = pattern.sub(_TAKEN, spaced)  # taken: not read again by the next pattern
    if not found:
        return None
    spaced = " ".join(spaced.split())
    if _BOUND.search(spaced):
        return Duration(None, hours, bound=True)
    if len(found) > 1 or _FIGURE.search(spaced):
        return Duration(None, hours)  # several durations, or a figure beside one
    return Duration(found[0], hours)


def in_unit(minutes: int, unit: NumberUnit) -> int | None:
    """`minutes` in the question's unit; None when that is not a whole number."""
    if unit == "minutes":
        return minutes
    return minutes // 60 if minutes % 60 == 0 else None


def _spaced(text: str, lang: str) -> str:
    """The text folded, words made digits, letters and digits apart ("1h30" ->
    "1 h 30"), one space between words; a decimal comma or point kept."""
    folded = fold(text[:MAX_PARSED_CHARS])
    for fraction, words in _FRACTIONS:
        folded = fraction.sub(words, folded)
    with suppress(Exception):  # text2num may fail on odd input; digits alone still count
        folded = alpha2digit(folded, "fr" if lang == "fr" else "en", threshold=0)
    apart = re.sub(r"(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)", " ", folded)
    return " ".join(re.findall(r"\d+(?:[.,]\d+)?|[a-z]+", apart))


def _minutes(pattern: re.Pattern[str], match: re.Match[str]) -> int | None:
    if pattern is _HALF_HOUR:
        return 30
    if pattern is _QUARTERS:
        return 15 * _count(match[1] or "1")
    if pattern is _MINUTES:
        return int(match[1])
    return _hours_and_minutes(match)


def _hours_and_minutes(match: re.Match[str]) -> int | None:
    amount, fraction, extra = match[1], match[2], match[3]
    if amount in _ARTICLES:
        whole = 60
    else:
        exact = float(amount.replace(",", "."))
        whole = round(exact * 60)
        if abs(exact * 60 - whole) > 1e-9:
            return None  # "1,33 heure": not whole minutes
    if fraction is not None:
        return whole + (30 if fraction.startswith(("demi", "half")) else 15)
    if extra is not None:
        return whole + int(extra) if int(extra) < 60 else None
    return whole


def _count(word: str) -> int:
    return 1 if word in _ARTICLES else int(word)
