import pytest

from nlu import Answer, Command, Reject

from .conftest import question

MODE = question(
    "choice",
    [
        ("car", ("Voiture", "auto")),
        ("bus", "Bus ou car"),
        ("train", "Train"),
        ("bike", "Vélo"),
        ("walk", "À pied"),
    ],
)
MODE_EN = question(
    "choice",
    [("car", "Car"), ("bus", "Bus"), ("train", "Train"), ("bike", "Bike"), ("walk", "Walking")],
)
HOUSING = question(
    "choice",
    [
        ("owner", "Propriétaire"),
        ("private", "Locataire (parc privé)"),
        ("social", "Locataire (logement social)"),
        ("hosted", "Hébergé(e) gratuitement"),
    ],
)


def test_ids_labels_and_flow_synonyms(interpret):
    assert interpret("walk", MODE) == Answer("walk")
    assert interpret("VÉLO", MODE) == Answer("bike")
    assert interpret("en auto", MODE) == Answer("car")


def test_everyday_words_from_the_lexicon(interpret):
    assert interpret("ma bagnole", MODE) == Answer("car")
    assert interpret("je prends le TER", MODE) == Answer("train")
    assert interpret("je marche", MODE) == Answer("walk")
    assert interpret("I drive", MODE_EN, "en") == Answer("car")
    assert interpret("proprio", HOUSING) == Answer("owner")
    assert interpret("en HLM", HOUSING) == Answer("social")


def test_typos_plurals_and_abbreviations(interpret):
    assert interpret("vooiture", MODE) == Answer("car")
    assert interpret("les velos", MODE) == Answer("bike")


def test_ordinals_numbers_and_letters(interpret):
    assert interpret("la deuxième", MODE) == Answer("bus")
    assert interpret("3", MODE) == Answer("train")
    assert interpret("le dernier", MODE) == Answer("walk")
    assert interpret("b", MODE) == Answer("bus")
    assert interpret("the fourth one", MODE_EN, "en") == Answer("bike")
    assert interpret("option 1", MODE_EN, "en") == Answer("car")


def test_a_position_past_the_last_option_is_out_of_range(interpret):
    assert interpret("la 9", MODE) == Reject("out_of_range")


def test_two_options_are_ambiguous_unless_one_is_preferred_or_corrected(interpret):
    assert interpret("le train et le bus", MODE) == Reject("ambiguous")
    assert interpret("le bus surtout, parfois le vélo", MODE) == Answer("bus")
    assert interpret("bus, enfin non, le train", MODE) == Answer("train")


def test_a_word_shared_by_two_options_names_neither_alone(interpret):
    assert interpret("locataire", HOUSING) == Reject("ambiguous")


def test_nothing_recognisable_is_not_understood(interpret):
    assert interpret("il pleut", MODE) == Reject("not_understood")


def test_commands_on_choice_questions(interpret):
    assert interpret("retour", MODE) == Command("back")
    assert interpret("/skip", MODE) == Command("skip")


@pytest.mark.parametrize(
    ("text", "picked"),
    [
        ("plus d'éolien", "enr"),
        ("le tri sélectif", "dechets"),
        ("le campus", "universite"),
        ("les urgences", "sante"),
    ],
)
def test_everyday_words_for_policy_themes(interpret, text, picked):
    themes = question(
        "choice",
        [
            ("enr", "Énergies renouvelables"),
            ("dechets", "Déchets"),
            ("universite", "Université"),
            ("sante", "Santé"),
        ],
    )
    assert interpret(text, themes) == Answer(picked)
