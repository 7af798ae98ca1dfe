"""Personal data in free text: e-mail addresses, phone numbers (French and
international) and street addresses, replaced by placeholders.

    redact("écrivez-moi à marie.dupont@example.fr ou au 06 12 34 56 78")
    -> Redaction(text="écrivez-moi à [email] ou au [téléphone]",
                 found=(PersonalData("email", "marie.dupont@example.fr"),
                        PersonalData("phone", "06 12 34 56 78")))

Moderation shows `text`; exports carry it instead of what the resident typed.
Every pattern has bounded repetitions and no nested quantifiers, so a pasted
100 KB message is scanned in linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import Literal

PersonalDataKind = Literal["email", "phone", "address"]

PLACEHOLDERS: dict[str, dict[PersonalDataKind, str]] = {
    "fr": {"email": "[email]", "phone": "[téléphone]", "address": "[adresse]"},
    "en": {"email": "[email]", "phone": "[phone]", "address": "[address]"},
}

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w+-][\w.+-]{0,63}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,6}(?![\w-])"
)
# French numbers: 0X XX XX XX XX with spaces, dots or dashes, or +33 / 0033 forms.
_PHONE_FR = re.compile(
    r"(?<![\d+])(?:(?:\+|00)33[ .-]?(?:\(0\)[ .-]?)?|0)[1-9](?:[ .-]?\d{2}){4}(?!\d)"
)
# International numbers: + or 00, a country code, then 6 to 13 digits in groups.
_PHONE_INTL = re.compile(r"(?<![\d+])(?:\+|00)[1-9]\d{0,2}(?:[ .-]?\(?\d{1,4}\)?){2,7}(?!\d)")
_STREET_TYPES = (
    r"rue|avenue|av|boulevard|bd|bld|place|pl|chemin|ch|all[ée]e|impasse|imp|route|rte|quai"
    r"|cours|square|sq|r[ée]sidence|lotissement|faubourg|fbg|passage|voie|sentier|rond-point"
    r"|mail|hameau|lieu-dit|cit[ée]|parvis|esplanade|promenade|chauss[ée]e|venelle|ruelle"
)
# "12 rue de la Paix", "3 bis, avenue Foch", "chemin des Vignes" after "j'habite".
_ADDRESS_FR = re.compile(
    r"(?:\b\d{1,4}(?: ?(?:bis|ter|quater|[a-d]))?,? +|\b(?:habite|domicile|adresse) ?:? ?"
    r"(?:au |à la |à l'|à |en )?)"
    rf"(?:{_STREET_TYPES})\.?(?: +(?!\d)[\w'’.-]{{1,30}}){{1,6}}",
    re.IGNORECASE,
)
_ADDRESS_EN = re.compile(
    r"\b\d{1,5} +(?:[A-Z][\w'’-]{0,30} +){1,4}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct|Close"
    r"|Crescent|Terrace|Square|Place|Gardens)\b\.?"
)
_PATTERNS: tuple[tuple[PersonalDataKind, re.Pattern[str]], ...] = (
    ("email", _EMAIL),
    ("phone", _PHONE_FR),
    ("phone", _PHONE_INTL),
    ("address", _ADDRESS_FR),
    ("address", _ADDRESS_EN),
)
# Words that end an address: what follows is the resident's opinion again.
_ADDRESS_STOP = re.compile(
    r" +(?:et|mais|ou|car|donc|qui|que|où|pour|depuis|avec|sans|and|but|or|which|where|since"
    r"|with|il|elle|on|je|nous|vous|c|ça|the|is|are|est|sont|à|a)\b.*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class PersonalData:
    kind: PersonalDataKind
    value: str


@dataclass(frozen=True, slots=True)
class Redaction:
    text: str
    found: tuple[PersonalData, ...]


def redact(text: str, lang: str = "fr") -> Redaction:
    """`text` with personal data replaced by placeholders, and what was replaced."""
    placeholders = PLACEHOLDERS.get(lang, PLACEHOLDERS["fr"])
    found: list[PersonalData] = []
    for kind, pattern in _PATTERNS:
        if kind == "email" and "@" not in text:
            continue
        text = pattern.sub(
            partial(_replace, kind=kind, placeholders=placeholders, found=found), text
        )
    return Redaction(text, tuple(found))


def _replace(
    match: re.Match[str],
    *,
    kind: PersonalDataKind,
    placeholders: dict[PersonalDataKind, str],
    found: list[PersonalData],
) -> str:
    value = match[0]
    tail = ""
    if kind == "address":
        cut = _ADDRESS_STOP.search(value)
        if cut is not None:
            value, tail = value[: cut.start()], value[cut.start() :]
            if not _ADDRESS_FR.fullmatch(value) and not _ADDRESS_EN.fullmatch(value):
                return match[0]  # "3 rue à traverser": no street name left
        lead = re.match(r"(?i)(habite|domicile|adresse) ?:? ?(?:au |à la |à l'|à |en )?", value)
        if lead is not None:
            tail_lead = value[: lead.end()]
            found.append(PersonalData(kind, value[lead.end() :]))
            return tail_lead + placeholders[kind] + tail
    elif kind == "phone" and len(re.sub(r"\D", "", value)) < 8:
        return value  # too short for a phone number: a figure or a date
    found.append(PersonalData(kind, value))
    return placeholders[kind] + tail
