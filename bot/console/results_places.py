"""Names for the codes in the results: départements by code, communes by
INSEE code, from answer understanding's bundled tables (nlu/data), read once."""

from __future__ import annotations

import csv
import functools
import io
from importlib import resources


@functools.cache
def _departements() -> dict[str, str]:
    data = (resources.files("nlu") / "data" / "departements.csv").read_text(encoding="utf-8")
    return {row["code"]: row["name"] for row in csv.DictReader(io.StringIO(data))}


@functools.cache
def _communes() -> dict[str, str]:
    data = (resources.files("nlu") / "data" / "communes_fr.csv").read_text(encoding="utf-8")
    return {row["insee_code"]: row["name"] for row in csv.DictReader(io.StringIO(data))}


def departement_name(code: str) -> str:
    """ "45 Loiret"; the code alone when unknown."""
    name = _departements().get(code)
    return f"{code} {name}" if name else code


def place_name(code: str, commune: bool) -> str:
    """A commune answer (an INSEE code) as "45234 Orléans"; a postal code as is."""
    if not commune:
        return code
    name = _communes().get(code)
    return f"{code} {name}" if name else code
