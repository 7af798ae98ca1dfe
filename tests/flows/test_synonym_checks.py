"""Warnings for synonyms that will misfire: listed with their lines, never
errors (the flow loads); `consultbot flows validate --strict` refuses them."""

import datetime as dt
import re
from pathlib import Path

import pytest

from flows.loader import load_flow, parse_flow, parse_flow_with_warnings
from flows.question_spec import question_spec
from nlu import Answer
from nlu.normalize import fold
from nlu.option_words import content_words
from nlu.stems import stems

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


def warnings(text=FLOW, source="mobilite.yml"):
    flow, found = parse_flow_with_warnings(text, source)
    assert flow.id == source.removesuffix(".yml")  # warnings never stop a flow
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


ENERGY = """\
id: energie
title: Énergie
languages: [fr]
consent: Acceptez-vous ?
questions:
  - id: priorities
    type: ranking
    text: Classez les priorités.
    choices:
      - {id: renovation, label: Rénovation des logements}
      - {id: solar_farms, label: Parcs solaires}
      - {id: wind, label: Éoliennes}
      - {id: biogas, label: Méthanisation}
  - id: mode
    type: choice
    text: Comment venez-vous ?
    choices:
      - {id: car, label: Voiture}
      - {id: carpool, label: Covoiturage}
outro: Merci !
"""


def test_choices_read_from_the_same_words_of_a_lexicon_group():
    assert warnings(ENERGY, "energie.yml") == [
        "energie.yml:13 (question priorities): 'wind' and 'biogas' are read from the same"
        " words of the lexicon group 'énergies renouvelables' (fr): 'énergies renouvelables',"
        " 'renouvelable', 'renouvelables', 'énergie verte', … may mean either of them. Hint:"
        " add the words meant for one choice to its synonyms; a resident who types another is"
        " asked which choice"
    ]  # "Voiture" names the value of the group "voiture", which lists "covoiturage"


def test_a_word_of_the_group_given_to_a_choice_is_no_longer_shared():
    named = ENERGY.replace(
        "label: Éoliennes}",
        "label: Éoliennes, synonyms: {fr: [énergies renouvelables, renouvelable, énergie verte,"
        " géothermie, hydroélectricité, panneaux solaires, éolien]}}",
    )
    assert not [w for w in warnings(named, "energie.yml") if "lexicon group" in w]


EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "flows" / "examples").glob("*.yml"))
_WORD = re.compile(r"[^\W_]+")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_each_word_a_bundled_choice_alone_is_named_by_reads_as_that_choice(interpreter, path):
    # Through the bundled lexicon groups, a choice must not lose a word of its
    # own to another ("lycée" of "Personnel du lycée" to "Élève"). Another
    # choice's id is a button payload ("car"), and is that choice.
    flow = load_flow(path)
    for question in flow.questions:
        if question.type not in ("choice", "multi_choice", "ranking"):
            continue
        for lang in flow.languages:
            spec = question_spec(question, lang)
            words = {c.id: {w for n in c.names for w in content_words(n)} for c in spec.choices}
            ids = {fold(c.id) for c in spec.choices}
            for choice in spec.choices:
                others = set().union(*(v for k, v in words.items() if k != choice.id))
                meant = choice.id if question.type == "choice" else (choice.id,)
                for name in choice.names:
                    for word in _WORD.findall(name):
                        read = stems(word)
                        if read[0] not in content_words(name) or read[0] in others:
                            continue
                        if fold(word) in ids - {fold(choice.id)}:
                            continue
                        got = interpreter.interpret(word, spec, lang, dt.date(2026, 6, 15))
                        assert isinstance(got, Answer), (question.id, word, got)
                        assert got.value == meant, (question.id, word, got)
