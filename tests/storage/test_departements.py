"""The département of a place answer, Corsica included."""

from __future__ import annotations

import csv
import io
from importlib import resources

from storage.departements import departement_of


def test_a_code_gives_its_departement():
    assert departement_of("45000") == "45"
    assert departement_of("45234") == "45"  # an INSEE code
    assert departement_of("97400") == "974"
    assert departement_of("2A004") == "2A"
    assert departement_of("2B033") == "2B"


def test_every_corsican_postal_code_gives_the_departement_of_its_communes():
    data = (resources.files("nlu") / "data" / "communes_fr.csv").read_text(encoding="utf-8")
    corsican = {}
    for row in csv.DictReader(io.StringIO(data)):
        for code in row["postal_codes"].split():
            if code.startswith("20"):
                corsican.setdefault(code, set()).add(row["department"])
    assert len(corsican) > 100
    assert {code: {departement_of(code)} for code in corsican} == corsican
