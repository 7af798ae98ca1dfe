"""The engine's own texts, from the catalogue (`flows.catalogue`, section `engine`).

Organizers write the questions, the consent, the intro and the outro; everything
else the engine says comes from here. `say(key, lang, **values)` fills a
template in `lang`, or in the catalogue's fallback language when the catalogue
does not have `lang` (`flows.language`). The command words quoted in the texts
are those `nlu` recognises.
"""

from __future__ import annotations

import datetime as dt

from flows.catalogue import CATALOGUE


def say(key: str, lang: str, **values: object) -> str:
    return CATALOGUE.text("engine", key, lang, **values)


def language_name(code: str, lang: str) -> str:
    return CATALOGUE.section("language_names", lang).get(code, code)


def format_date(day: dt.date, lang: str) -> str:
    lang = CATALOGUE.language(lang)
    dates = CATALOGUE.section("dates", lang)
    first = dates["first_day"] if day.day == 1 else str(day.day)
    month = CATALOGUE.months[lang][day.month - 1]
    return dates["format"].format(day=first, month=month, year=day.year)
