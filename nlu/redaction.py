"""Personal data in free text: e-mail addresses, phone numbers (French and
international), street addresses and people's names, replaced by placeholders.

    redact("écrivez-moi à marie.dupont@example.fr ou au 06 12 34 56 78")
    -> Redaction(text="écrivez-moi à [email] ou au [téléphone]",
                 found=(PersonalData("email", "marie.dupont@example.fr"),
                        PersonalData("phone", "06 12 34 56 78")))

A name is found where a resident says it is one, in French or English: after
"je m'appelle", "my name is", "je suis" / "I'm" (a first name and a surname), a
title ("Mme Durand", "M. et Mme Petit") or in a closing signature
("Cordialement, Paul Girard"); a capitalised word elsewhere ("Orléans",
"Saint-Jean-de-Braye") is no name, nor is what follows "je suis" in lower case
("je suis satisfait") or an office ("Madame la Présidente").

Moderation shows `text`; exports carry it instead of what the resident typed.
Every pattern has bounded repetitions and no nested quantifiers, so a pasted
100 KB message is scanned in linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import Literal

from nlu.normalize import word_set

PersonalDataKind = Literal["email", "phone", "address", "name"]

PLACEHOLDERS: dict[str, dict[PersonalDataKind, str]] = {
    "fr": {"email": "[email]", "phone": "[téléphone]", "address": "[adresse]", "name": "[nom]"},
    "en": {"email": "[email]", "phone": "[phone]", "address": "[address]", "name": "[name]"},
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
    # Names last: a street named after someone ("rue Jean Jaurès") is an address.
    text = _without_names(text, placeholders["name"], found)
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


# What comes before a name. A resident who says what they are called names
# themselves even in lower case ("je m'appelle marie lefevre").
_CALLED = re.compile(
    r"(?i:\b(?:je m['’ ]?appel{1,2}e|je me (?:pr[ée])?nomme|mon (?:pr[ée])?nom (?:est|c['’]est)"
    r"|my name is|my name['’]s)\b) ?:? +"
)
# "je suis Marie Lefèvre", "I'm John Smith": a first name and a surname, both
# capitalised; "je suis satisfait", "je suis Orléanais" name no one.
_INTRODUCED = re.compile(r"(?i:\b(?:je suis|i am|i['’]m)\b) +")
# "moi c'est Marie": one capitalised word is enough.
_ME = re.compile(r"(?i:\bmoi c['’]est|\bcall me) +")
_TITLE = (
    r"(?:MM|Mmes?|Mlles?|Mrs?|Ms|Dr|Pr)\.?|M\."
    r"|(?i:monsieur|madame|mademoiselle|messieurs|mesdames|docteur|miss)"
)
# "Mme Durand", "M. et Mme Petit", "Mr and Mrs Smith".
_TITLED = re.compile(rf"(?<![\w.])(?:{_TITLE})(?: +(?:et|and|&) +(?:{_TITLE}))? +")
# A signature closes the text: "Cordialement, Paul Girard", "Best regards, John".
_SIGNED = re.compile(
    r"(?i:\b(?:bien )?cordialement|\bbien (?:à|a) vous|\b(?:sinc[èe]res )?salutations"
    r"|\bamicalement|\bbien amicalement|\b(?:best |kind |warm )?regards|\bsincerely"
    r"|\byours(?: sincerely| truly| faithfully)?|\bbest wishes)[ \t]*[,.:-]?\s*"
)
# A shorter closing word is often followed by something other than a name
# ("merci Orléans Métropole" aside): two words at least.
_THANKED = re.compile(r"(?i:\bmerci(?: beaucoup)?|\bthanks|\bthank you|\bcheers)[ \t]*[,.!-]?\s*")
_WORD = re.compile(r"[^\W\d_]{1,30}(?:['’-][^\W\d_]{1,30}){0,4}")
_GAP = re.compile(r" {1,3}")
_SIGNATURE_END = re.compile(r"[ \t.!]*(?:\n|$)")
# Words that never begin or continue a name: function words, offices ("Madame
# la Présidente", "Monsieur le Maire") and what starts a place ("Saint-Jean").
_NOT_NAMES = word_set(
    """
    a à au aux avec c ça ca car ce ces cet cette chez contre d dans de des du elle en et
    il ils j je l la le les leur lui m ma mais me mes moi mon n ne ni non nous on ou où oui
    par pas peu plus plutôt pour qu que qui s sa sans se ses si son sur ta te tes toi ton
    tout toute tous toutes très trop tu un une vers vos votre vous y
    an and are as at be but by for from he her his i in is it me my no not of on or our
    she so that the their them they this to too us very was we with yes you your
    bien mal ici là assez vraiment aussi encore déjà souvent toujours jamais content
    contente satisfait satisfaite désolé désolée sure happy sorry really just also here
    maire présidente président préfet préfète ministre directeur directrice député
    députée sénateur sénatrice conseiller conseillère adjoint adjointe mayor president
    minister director chair chairman chairwoman councillor
    saint sainte st ste val centre région region ville pays tout-le-monde métropole
    metropole agglo agglomération communauté conseil département mairie commune
    bon bonne belle bonjour journée soirée semaine day evening week
    tres plutot deja ca
    m mm mme mmes mlle mlles mr mrs ms dr pr monsieur madame mademoiselle docteur miss
    """
)


def _without_names(text: str, placeholder: str, found: list[PersonalData]) -> str:
    spans = sorted(_name_spans(text))
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        if not kept or start >= kept[-1][1]:  # "je suis M. Paul Girard": once
            kept.append((start, end))
    pieces: list[str] = []
    position = 0
    for start, end in kept:
        pieces += (text[position:start], placeholder)
        found.append(PersonalData("name", text[start:end]))
        position = end
    return "".join(pieces) + text[position:]


def _name_spans(text: str) -> list[tuple[int, int]]:
    """Where names are: after each cue, the words that can be a name."""
    spans: list[tuple[int, int]] = []
    cues = (
        (_CALLED, True, 1, False),
        (_INTRODUCED, False, 2, False),
        (_ME, False, 1, False),
        (_TITLED, False, 1, False),
        (_SIGNED, False, 1, True),
        (_THANKED, False, 2, True),
    )
    for cue, lower_case, least, closing in cues:
        for match in cue.finditer(text):
            # A text typed in capitals ("JE SUIS TRES ENERVE") names no one by
            # its capitals; a title is still one ("MME DURAND" is rare).
            shouted = cue is not _TITLED and match[0].isupper()
            span = _name_at(text, match.end(), lower_case=lower_case, least=least, shouted=shouted)
            if span is not None and (not closing or _SIGNATURE_END.match(text, span[1])):
                spans.append(span)
    return spans


def _name_at(
    text: str, start: int, *, lower_case: bool, least: int, shouted: bool
) -> tuple[int, int] | None:
    """The name starting at `start`: one to three words (a final initial
    allowed, "Paul G."), at least `least` of them; None if there are fewer."""
    words: list[re.Match[str]] = []
    position = start
    while len(words) < 3:
        word = _WORD.match(text, position)
        if word is None or not _may_be_name(word[0], lower_case, first=not words):
            break
        if shouted and word[0].isupper():
            break
        words.append(word)
        gap = _GAP.match(text, word.end())
        if gap is None:
            break
        position = gap.end()
    if len(words) < least:
        return None
    return words[0].start(), words[-1].end()


def _may_be_name(word: str, lower_case: bool, *, first: bool) -> bool:
    if word.casefold() in _NOT_NAMES:
        return False
    if len(word) == 1:  # an initial, after a first name: "Paul G."
        return not first and word.isupper()
    if word[0].isupper():
        return True
    # Typed in lower case after "je m'appelle": a word, not "j'ai" or "c'est".
    return lower_case and "'" not in word and "’" not in word
