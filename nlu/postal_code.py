"""French postal codes: five digits, with or without spaces or dots ("45 000",
"37.000", "3 7 0 0 0"),
alone or in a sentence ("mon cp c'est 41000"), or in words ("trente-sept
mille"), checked against the real list of postal codes.

A phone number ("06 12 34 56 78") is no postal code, and two different codes in
one message are ambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Set

from text_to_num import alpha2digit

from nlu.interpretation import Answer, Reject
from nlu.normalize import MAX_PARSED_CHARS, fold

# Five digits standing alone, or 2 + 3 digits split by one space ("45 000");
# never part of a longer run of digits (a phone number, a six-digit figure).
_CODE = re.compile(r"(?<![\d])(\d{2}) ?(\d{3})(?![\d])")
_DIGIT_RUN = re.compile(r"\d[\d .-]{0,30}\d")


def find_postal_codes(text: str, lang: str = "fr") -> list[str]:
    """Every five-digit candidate of `text`, in order (not yet checked)."""
    folded = fold(text[:MAX_PARSED_CHARS])
    if not re.search(r"\d", folded):
        try:
            folded = alpha2digit(folded, "fr" if lang == "fr" else "en")
        except Exception:  # text2num may fail on odd input
            return []
    codes: list[str] = []
    for run in _DIGIT_RUN.finditer(folded):
        digits = re.sub(r"\D", "", run[0])
        if len(digits) == 5:
            codes.append(digits)  # "37000", "37 000", "37.000", "3 7 0 0 0"
            continue
        if len(digits) >= 9:
            continue  # a phone number or an account number, not a postal code
        codes.extend(m[1] + m[2] for m in _CODE.finditer(run[0]))
    if not codes:
        codes = [m[1] + m[2] for m in _CODE.finditer(folded)]
    return codes


def parse_postal_code(text: str, lang: str, known: Set[str]) -> Answer | Reject:
    candidates = list(dict.fromkeys(find_postal_codes(text, lang)))
    if not candidates:
        return Reject("not_understood")
    if len(candidates) > 1:
        valid = [code for code in candidates if code in known]
        return Reject("ambiguous") if len(valid) != 1 else Answer(valid[0])
    code = candidates[0]
    return Answer(code) if code in known else Reject("unknown_postal_code")
