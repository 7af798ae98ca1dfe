"""Warnings for synonyms that will misfire: listed with their lines, never
errors (the flow loads); `consultbot flows validate --strict` refuses them."""

import pytest

from flows.loader import parse_flow, parse_flow_with_warnings

FLOW = """\
id: mobilite
title: Mobilité
languages: [fr]
consent: Acceptez-vous ?
questions:
  - id: mode
    type: choice
    text: Comment venez-vous ?
    choices:
      - id: coach
        label: Autocar
        synonyms: {fr: [car]}
      - id: bike
        label: Vélo
        synonyms:
          fr: [vélo électrique, bicyclette]
      - id: ecar
        label: Voiture électrique
      - id: scooter
        label: Trottinette
        synonyms:
          fr: [électrique]
outro: Merci !
"""


def warnings(text=FLOW):
    flow, found = parse_flow_with_warnings(text, "mobilite.yml")
    assert flow.id == "mobilite"  # warnings never stop a flow
    return [str(w) for w in found]


def test_a_common_word_of_the_language():
    assert (
        "mobilite.yml:12 (question mode): the synonym 'car' (fr) of 'coach' is a common word:"
        " it will be read in sentences that do not mean this choice. Hint: remove it, or use a"
        " longer phrase"
    ) in warnings()


def test_a_word_of_another_choice():
    assert any(
        w.startswith("mobilite.yml:22 (question mode): the synonym 'électrique' (fr) of 'scooter'"
                     " is also a word of 'vélo électrique' ('bike')")
        for w in warnings()
    )  # fmt: skip


def test_a_multi_word_synonym_read_from_one_of_its_words():
    assert any(
        "the synonym 'vélo électrique' (fr) of 'bike' is also read from 'électrique' alone" in w
        for w in warnings()
    )


def test_good_synonyms_say_nothing():
    clean = FLOW.replace("synonyms: {fr: [car]}", "synonyms: {fr: [autocars]}")
    clean = clean.replace("[vélo électrique, bicyclette]", "[bicyclette, biclou]")
    clean = clean.replace("fr: [électrique]", "fr: [patinette]")
    assert warnings(clean) == []


@pytest.mark.parametrize("text", [FLOW])
def test_parse_flow_stays_quiet(text):
    assert parse_flow(text, "mobilite.yml").question("mode").choices[0].id == "coach"
