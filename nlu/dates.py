"""Dates in French and English, resolved against the day passed in (never the
clock): "demain", "lundi prochain", "samedi dernier", "dans deux semaines",
"il y a une semaine", "le 14 juillet", "le 1er septembre", "03/07", "12/05/2024",
"3rd of July", "09/15/2026", "noël", "la fête de la musique".

A date without a day ("en septembre", "la semaine prochaine", "bientôt") is too
vague and is rejected, as is a day that does not exist ("le 31 juin").
Numeric dates read day first in French and month first in English, falling back
on the other order when the first one is impossible ("09/15/2026"). Two dates
are put to the resident instead of guessed: an English date that reads both
ways ("07/04"), and a weekday that contradicts the date ("mardi 3 juillet"
when the 3rd is a Friday: the 3rd, or the nearest Tuesday?).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from text_to_num import alpha2digit

from nlu.interpretation import Answer, Candidate, Confirm, Reject
from nlu.normalize import MAX_PARSED_CHARS, fold

_MONTHS: Mapping[str, int] = {
    "janvier": 1, "janv": 1, "january": 1, "jan": 1,
    "fevrier": 2, "fevr": 2, "fev": 2, "february": 2, "feb": 2,
    "mars": 3, "march": 3, "mar": 3,
    "avril": 4, "avr": 4, "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juin": 6, "june": 6, "jun": 6,
    "juillet": 7, "juil": 7, "july": 7, "jul": 7,
    "aout": 8, "august": 8, "aug": 8,
    "septembre": 9, "sept": 9, "september": 9, "sep": 9,
    "octobre": 10, "oct": 10, "october": 10,
    "novembre": 11, "nov": 11, "november": 11,
    "decembre": 12, "dec": 12, "december": 12,
}  # fmt: skip
_WEEKDAYS: Mapping[str, int] = {
    "lundi": 0, "monday": 0, "mardi": 1, "tuesday": 1, "mercredi": 2, "wednesday": 2,
    "jeudi": 3, "thursday": 3, "vendredi": 4, "friday": 4, "samedi": 5, "saturday": 5,
    "dimanche": 6, "sunday": 6,
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(_WEEKDAYS)
_ORDINAL = r"(?:er|re|ere|e|eme|st|nd|rd|th)?"
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?(?![\d/.-])")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}}){_ORDINAL}(?: of)? ({_MONTH})\b\.?(?: (\d{{4}}))?")
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.? (\d{{1,2}}){_ORDINAL}\b,?(?: (\d{{4}}))?")
_WEEKDAY_DAY = re.compile(
    rf"\b({_WEEKDAY}),? (?:the |le )?(\d{{1,2}}){_ORDINAL}\b(?! ?(?:(?:of )?(?:{_MONTH})|[/.-]\d))"
)
_LONE_DAY = re.compile(rf"^(?:le |the |on the )?(\d{{1,2}}){_ORDINAL}$")
_SOME = re.compile(r"(?:^| )(?:un|1|a) $")
_WORD_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")
_RELATIVE_WORDS: Mapping[str, int] = {
    "aujourd hui": 0, "aujourdhui": 0, "auj": 0, "ce jour": 0, "today": 0, "tonight": 0,
    "ce soir": 0, "demain": 1, "tomorrow": 1, "hier": -1, "yesterday": -1,
    "apres demain": 2, "apres-demain": 2, "day after tomorrow": 2,
    "avant hier": -2, "avant-hier": -2, "day before yesterday": -2,
}  # fmt: skip
_RELATIVE = re.compile(
    r"\b(?:(dans|in|d ici) (\d{1,3}) "
    r"(jours?|j|semaines?|sem|mois|ans?|annees?|days?|weeks?|months?|years?)"
    r"|(il y a) (\d{1,3}) (jours?|semaines?|mois|ans?|annees?)"
    r"|(\d{1,3}) (days?|weeks?|months?|years?) ago"
    r"|(\d{1,3}) (days?|weeks?|months?|years?) from (?:today|now))\b"
)
# "dans un mois", "a week ago": the article counts as one.
_ONE_UNIT = re.compile(
    r"\b(?:un|une|a|an|one)\b(?= (?:jours?|semaines?|mois|ans?|days?|weeks?|months?|years?)\b)"
)
_NEXT = r"prochaine?|suivante?|next|coming"
_LAST = r"derniere?|passee?|last|past"
_WEEKDAY_RELATIVE = re.compile(
    rf"\b(?:({_NEXT}|{_LAST}|this|ce|cette) )?({_WEEKDAY})(?: ({_NEXT}|{_LAST}))?\b"
)
_HOLIDAYS: Mapping[str, tuple[int, int]] = {
    "noel": (12, 25), "christmas": (12, 25), "jour de l an": (1, 1), "nouvel an": (1, 1),
    "new year s day": (1, 1), "fete de la musique": (6, 21), "fete nationale": (7, 14),
    "toussaint": (11, 1), "armistice": (11, 11), "saint valentin": (2, 14),
    "st valentin": (2, 14), "valentine s day": (2, 14), "halloween": (10, 31),
    "saint sylvestre": (12, 31), "st sylvestre": (12, 31), "reveillon": (12, 31),
    "new year s eve": (12, 31), "assomption": (8, 15), "fete du travail": (5, 1),
    "christmas eve": (12, 24), "veille de noel": (12, 24),
}  # fmt: skip
_EASTER_OFFSETS: Mapping[str, int] = {
    "paques": 0, "easter": 0, "lundi de paques": 1, "easter monday": 1, "ascension": 39,
    "pentecote": 49, "lundi de pentecote": 50,
}  # fmt: skip
_HOLIDAY = re.compile(
    r"\b(" + "|".join(sorted([*_HOLIDAYS, *_EASTER_OFFSETS], key=len, reverse=True)) + r")\b"
)


# Two days offered for one date: "le 3 ou le 4 juillet", "du 3 au 5 juillet",
# "entre le 3 et le 5", "july 3 or 4".
_DAY_CHOICE = re.compile(
    rf"\b\d{{1,2}}{_ORDINAL} (?:ou|or|et|and|a|au|to|-) (?:le |the )?\d{{1,2}}{_ORDINAL} "
    rf"(?:de |d |of )?(?:{_MONTH})\b"
    rf"|\b(?:{_MONTH}) \d{{1,2}}{_ORDINAL} (?:ou|or|et|and|to|-) \d{{1,2}}{_ORDINAL}\b"
    r"|\b(?:entre|between) (?:le |the )?\d{1,2}\w* (?:et|and) (?:le |the )?\d{1,2}\b"
)
# A bound, not a day: "avant le 10 juillet", "after the 3rd", "jusqu'au 14".
_BOUND = re.compile(
    r"\b(?:avant|apres|jusqu|jusque|before|after|until|till|no later than|au plus tard)\b"
    rf"(?: (?:le|la|l|the|au|du|a|on))* (?:\d{{1,2}}(?![\d:h])(?! h\b)|(?:{_MONTH})\b)"
)
# "vendredi en huit": the Friday after next; said rarely enough to be asked again.
_EN_HUIT = re.compile(rf"\b(?:{_WEEKDAY}) en (?:huit|quinze|8|15)\b")
# A part of a month, not a day: "fin juin", "mi-juillet", "early july".
_PART_OF_MONTH = re.compile(
    rf"\b(?:fin|debut|mi|milieu|courant|end|beginning|early|mid|late|middle)"
    rf"(?: de| du| d| of| the)* (?:{_MONTH}|mois|month)\b"
)


class _Invalid(Exception):
    """A date that does not exist, such as 31 June."""


_WEEKDAY_BEFORE = re.compile(rf"\b({_WEEKDAY}),? (?:le |the )?$")


@dataclass
class _Doubts:
    """What makes a date found uncertain: a weekday that contradicts it, a day
    and month that read both ways."""

    weekday: list[tuple[dt.date, int]] = field(default_factory=list)  # date, weekday said
    orders: list[tuple[dt.date, dt.date]] = field(default_factory=list)  # read, other reading


def parse_date(
    text: str,
    lang: str,
    today: dt.date,
    earliest: dt.date | None = None,
    latest: dt.date | None = None,
) -> Answer | Reject | Confirm:
    folded = _WORD_HYPHEN.sub(" ", fold(text[:MAX_PARSED_CHARS]).replace("'", " "))
    try:
        converted = alpha2digit(folded, "fr" if lang == "fr" else "en", threshold=0)
    except Exception:  # text2num may fail on odd input; digits alone still count
        converted = folded
    converted = _ONE_UNIT.sub("1", converted)
    converted = converted.replace("1 er", "1er")
    if _DAY_CHOICE.search(converted) or _BOUND.search(converted) or _EN_HUIT.search(converted):
        return Reject("ambiguous")
    if _PART_OF_MONTH.search(converted) and not re.search(r"\d", converted):
        return Reject("ambiguous")  # several days: which one?
    doubts = _Doubts()
    try:
        found = _dates(converted, lang, today, doubts)
    except _Invalid:
        return Reject("not_understood")
    distinct = set(found)
    if not distinct:
        return Reject("not_understood")
    if len(distinct) > 1:
        return Reject("ambiguous")
    date = distinct.pop()

    def within(day: dt.date) -> bool:
        return (earliest is None or day >= earliest) and (latest is None or day <= latest)

    if not within(date):
        return Reject("out_of_range")
    for read, said in doubts.weekday:
        if read == date:
            # "mardi 3 juillet" when the 3rd is a Friday: the 3rd, or that Tuesday?
            ahead = read + dt.timedelta(days=(said - read.weekday()) % 7)
            behind = ahead - dt.timedelta(days=7)
            nearest = ahead if (ahead - read) <= (read - behind) else behind
            offered = [d for d in (read, nearest) if within(d)]
            return Confirm(tuple(Candidate(d.isoformat()) for d in offered), "weekday")
    for read, other in doubts.orders:
        if read == date and within(other):
            return Confirm((Candidate(read.isoformat()), Candidate(other.isoformat())), "day_month")
    return Answer(date.isoformat())


def _dates(text: str, lang: str, today: dt.date, doubts: _Doubts) -> list[dt.date]:
    """Every date the text gives, noting in `doubts` what makes one uncertain;
    raises _Invalid for an impossible one."""
    found: list[dt.date] = []
    rest = text
    for match in _ISO.finditer(rest):
        found.append(_make(int(match[1]), int(match[2]), int(match[3])))
    rest = _ISO.sub(" ", rest)
    for match in _DAY_MONTH.finditer(rest):
        found.append(_make(_year(match[3], today), _MONTHS[match[2]], int(match[1])))
        _check_weekday(rest[: match.start()], found[-1], doubts)
    rest = _DAY_MONTH.sub(" ", rest)
    for match in _MONTH_DAY.finditer(rest):
        found.append(_make(_year(match[3], today), _MONTHS[match[1]], int(match[2])))
        _check_weekday(rest[: match.start()], found[-1], doubts)
    rest = _MONTH_DAY.sub(" ", rest)
    for match in _NUMERIC.finditer(rest):
        found.append(_numeric(match, lang, today, doubts))
        _check_weekday(rest[: match.start()], found[-1], doubts)
    rest = _NUMERIC.sub(" ", rest)
    for match in _WEEKDAY_DAY.finditer(rest):
        found.append(_day_of_coming_month(int(match[2]), today))
        _check_weekday(match[1] + " ", found[-1], doubts)
    rest = _WEEKDAY_DAY.sub(" ", rest)
    for match in _HOLIDAY.finditer(rest):
        found.append(_holiday(match[1], today, rest[match.end() : match.end() + 12]))
    rest = _HOLIDAY.sub(" ", rest)
    for match in _RELATIVE.finditer(rest):
        found.append(_relative(match, today))
    rest = _RELATIVE.sub(" ", rest)
    for phrase, offset in sorted(_RELATIVE_WORDS.items(), key=lambda p: -len(p[0])):
        if re.search(rf"\b{phrase}\b", rest):
            found.append(today + dt.timedelta(days=offset))
            rest = re.sub(rf"\b{phrase}\b", " ", rest)
    explicit = bool(found)
    for match in _WEEKDAY_RELATIVE.finditer(rest):
        if explicit and not (match[1] or match[3]):
            continue  # "lundi 22 juin": the weekday only names the date given
        if match[1] is None and _SOME.search(rest[: match.start()]):
            raise _Invalid  # "un lundi": some Monday, not a date
        found.append(_weekday(match, today))
    if not found:
        lone = _LONE_DAY.fullmatch(rest.strip())
        if lone:
            found.append(_day_of_coming_month(int(lone[1]), today))
    return found


def _check_weekday(before: str, date: dt.date, doubts: _Doubts) -> None:
    said = _WEEKDAY_BEFORE.search(before)
    if said is not None and _WEEKDAYS[said[1]] != date.weekday():
        doubts.weekday.append((date, _WEEKDAYS[said[1]]))


def _make(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _Invalid from None


def _year(raw: str | None, today: dt.date) -> int:
    return int(raw) if raw else today.year


def _numeric(match: re.Match[str], lang: str, today: dt.date, doubts: _Doubts) -> dt.date:
    """ "14/07", "03/09/2025": day first in French; in English, where both
    orders are written, a date that reads both ways ("07/04") is a doubt."""
    first, second = int(match[1]), int(match[2])
    year = today.year
    if match[3]:
        year = int(match[3])
        if year < 100:
            year += 2000 if year <= (today.year % 100) + 10 else 1900
    orders = (
        [(second, first), (first, second)] if lang == "en" else [(first, second), (second, first)]
    )
    readings = []
    for day, month in orders:
        try:
            readings.append(dt.date(year, month, day))
        except ValueError:
            continue
    if not readings:
        raise _Invalid
    if lang == "en" and len(readings) == 2 and readings[0] != readings[1]:
        doubts.orders.append((readings[0], readings[1]))
    return readings[0]


def _day_of_coming_month(day: int, today: dt.date) -> dt.date:
    """ "mardi 23", "le 5": that day of this month, or of next month once past."""
    year, month = today.year, today.month
    if day < today.day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return _make(year, month, day)


def _relative(match: re.Match[str], today: dt.date) -> dt.date:
    if match[1]:
        amount, unit, sign = int(match[2]), match[3], 1
    elif match[4]:
        amount, unit, sign = int(match[5]), match[6], -1
    elif match[7]:
        amount, unit, sign = int(match[7]), match[8], -1
    else:
        amount, unit, sign = int(match[9]), match[10], 1  # "a week from today"
    if unit.startswith(("j", "d")):
        return today + dt.timedelta(days=sign * amount)
    if unit.startswith(("sem", "w")):
        return today + dt.timedelta(weeks=sign * amount)
    months = sign * amount * (1 if unit.startswith("m") else 12)
    return _add_months(today, months)


def _add_months(date: dt.date, months: int) -> dt.date:
    index = date.year * 12 + date.month - 1 + months
    year, month = divmod(index, 12)
    for day in range(date.day, 27, -1):
        try:
            return dt.date(year, month + 1, day)
        except ValueError:
            continue
    return dt.date(year, month + 1, min(date.day, 28))


def _weekday(match: re.Match[str], today: dt.date) -> dt.date:
    target = _WEEKDAYS[match[2]]
    modifier = match[1] or match[3] or ""
    ahead = (target - today.weekday()) % 7
    if re.fullmatch(_LAST, modifier):
        behind = (today.weekday() - target) % 7 or 7
        return today - dt.timedelta(days=behind)
    if re.fullmatch(_NEXT, modifier):
        return today + dt.timedelta(days=ahead or 7)
    return today + dt.timedelta(days=ahead)


def _holiday(name: str, today: dt.date, after: str) -> dt.date:
    """This year's holiday; "Noël dernier" is the last one, "Noël prochain" the next."""
    this_year = _holiday_in(name, today.year)
    if re.match(rf" ?(?:{_LAST})\b", after) and this_year > today:
        return _holiday_in(name, today.year - 1)
    if re.match(rf" ?(?:{_NEXT})\b", after) and this_year < today:
        return _holiday_in(name, today.year + 1)
    return this_year


def _holiday_in(name: str, year: int) -> dt.date:
    if name in _HOLIDAYS:
        month, day = _HOLIDAYS[name]
        return dt.date(year, month, day)
    return _easter(year) + dt.timedelta(days=_EASTER_OFFSETS[name])


def _easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)
