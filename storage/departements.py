"""The département of a place answer: a postal code ("45000") or a commune's
INSEE code ("45234", "2A004"), both five characters.

Most départements are the code's first two characters; overseas (97x, 98x)
the first three. Corsica has one postal prefix, 20, for two départements:
postal codes 200xx and 201xx are Corse-du-Sud (2A), the others Haute-Corse
(2B), as the bundled list of communes and their postal codes says (a test
checks every one); its INSEE codes already start with 2A or 2B.

Used for the résident's département kept with their session
(`sessions.departement`, the results' filter) and for the results' place
tables; migration 0015 keeps its own copy in SQL, as migrations do.
"""

from __future__ import annotations

CORSE_DU_SUD_POSTAL = ("200", "201")


def departement_of(code: str) -> str:
    """ "45" for 45000 or 45234; "974" for 97400; "2A" for 20000 or 2A004."""
    if code[:2] in ("97", "98"):
        return code[:3]
    if code[:2] == "20":
        return "2A" if code[:3] in CORSE_DU_SUD_POSTAL else "2B"
    return code[:2]
