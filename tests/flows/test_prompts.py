"""An answer as the resident reads it back (`describe`): in the echo, the
review, and when going back to it."""

import pytest

from flows.loader import parse_flow
from flows.prompts import describe

FLOW = """
id: temps
title: {fr: Temps, en: Time}
languages: [fr, en]
consent: {fr: Acceptez-vous ?, en: Do you agree?}
questions:
  - {id: trip, type: number, unit: minutes, text: {fr: Combien de minutes ?, en: How many minutes?}}
  - {id: work, type: number, unit: hours, text: {fr: Combien d'heures ?, en: How many hours?}}
  - {id: pupils, type: number, text: {fr: Combien d'élèves ?, en: How many pupils?}}
  - {id: town, type: commune, text: {fr: Votre commune ?, en: Your town?}}
outro: {fr: Merci !, en: Thanks!}
"""
TEMPS = parse_flow(FLOW, "temps.yml")


@pytest.mark.parametrize(
    ("question", "value", "lang", "shown"),
    [
        ("trip", 30, "fr", "30 minutes"),
        ("trip", 1, "fr", "1 minute"),
        ("trip", 45, "en", "45 minutes"),
        ("work", 2, "fr", "2 heures"),
        ("work", 1, "fr", "1 heure"),
        ("work", 1, "en", "1 hour"),
        ("work", 3, "en", "3 hours"),
        ("pupils", 30, "fr", "30"),  # no unit: a count
    ],
)
def test_a_duration_says_its_unit(question, value, lang, shown):
    assert describe(TEMPS.question(question), value, lang) == shown


def test_a_commune_is_shown_by_its_name_else_by_its_code():
    town = TEMPS.question("town")
    assert describe(town, "45284", "fr", name="Saint-Jean-de-Braye (45)") == (
        "Saint-Jean-de-Braye (45)"
    )
    assert describe(town, "45284", "fr") == "45284"
