import pytest

from nlu import Answer, Candidate, Command, Confirm, QuestionSpec, Reject

from .conftest import TODAY, question

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


# The demo's question (flows/examples/mobilite.yml) in French: "car" is a
# word of the bus's names ("car scolaire": a coach) and the id of "Voiture".
DEMO_MODE = question(
    "choice",
    [
        ("car", ("Voiture", "auto", "bagnole", "covoiturage")),
        ("train", ("Train", "TER", "RER")),
        ("bus", ("Bus", "autocar", "car scolaire", "Rémi")),
        ("bike", ("Vélo", "bicyclette", "VAE")),
        ("walk", ("À pied", "marche", "à pieds")),
    ],
)
DEMO_MODES = QuestionSpec("multi_choice", choices=DEMO_MODE.choices)


@pytest.mark.parametrize("text", ["car", "Car", "CAR", "le car", "en car"])
def test_a_typed_id_that_a_french_name_says_is_that_word(interpret, text):
    assert interpret(text, DEMO_MODE) == Answer("bus")
    assert interpret(text, DEMO_MODES) == Answer(("bus",))


def test_a_typed_id_no_name_claims_still_names_its_option(interpret):
    assert interpret("bike", DEMO_MODE) == Answer("bike")
    assert interpret("walk", DEMO_MODE) == Answer("walk")
    assert interpret("car", MODE_EN, "en") == Answer("car")


def test_a_tapped_button_is_its_id_whatever_the_word_means(interpreter):
    tapped = interpreter.interpret("car", DEMO_MODE, "fr", TODAY, tapped=True)
    assert tapped == Answer("car")
    assert interpreter.interpret("car", DEMO_MODES, "fr", TODAY, tapped=True) == Answer(("car",))


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


MODES = question(
    "choice", [("car", "Voiture"), ("bus", "Bus"), ("train", "Train"), ("bike", "Vélo")]
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("surtout pas la voiture", Reject("not_understood")),
        ("jamais le train, toujours le vélo", Answer("bike")),
        ("not the bus but the train", Answer("train")),
        ("rien à part le bus", Answer("bus")),
    ],
)
def test_a_denied_option_is_not_chosen(interpret, text, expected):
    lang = "en" if text.startswith("not") else "fr"
    assert interpret(text, MODES, lang) == expected


def test_an_option_whose_name_says_pas_is_still_named():
    agreement = question(
        "choice",
        [
            ("yes", "D'accord"),
            ("rather_not", "Plutôt pas d'accord"),
            ("no", "Pas du tout d'accord"),
        ],
    )
    from nlu import Interpreter

    from .conftest import TODAY

    got = Interpreter().interpret("pas du tout d'accord !", agreement, "fr", TODAY)
    assert got == Answer("no")


AGES = question("choice", [("a", "18-34 ans"), ("b", "35-59 ans"), ("c", "60 ans et plus")])


def test_a_birth_year_answers_an_age_range(interpret):
    # On 2026-06-15 someone born in 1980 is 45 or 46: both in 35-59.
    assert interpret("née en 1980", AGES) == Answer("b")
    assert interpret("I was born in 1999", AGES, "en") == Answer("a")
    # Born in 1967: 58 or 59, still 35-59; born in 1966: 59 or 60, which one?
    assert interpret("né en 1966", AGES) == Confirm((Candidate("b"), Candidate("c")), "birth_year")
    # A bare year is no age: the range it gives is asked.
    assert interpret("1995", AGES) == Confirm((Candidate("a"),), "birth_year")


AGREEMENT = question(
    "choice",
    [
        ("agree_fully", "Tout à fait d'accord"),
        ("agree", "Plutôt d'accord"),
        ("disagree", "Plutôt pas d'accord"),
        ("disagree_fully", "Pas du tout d'accord"),
    ],
)


@pytest.mark.parametrize(
    ("text", "picked"),
    [
        ("entièrement d'accord", "agree_fully"),
        ("totalement", "agree_fully"),
        ("pas vraiment d'accord", "disagree"),
        ("absolument pas", "disagree_fully"),
    ],
)
def test_degrees_of_agreement(interpret, text, picked):
    assert interpret(text, AGREEMENT) == Answer(picked)


def test_a_positive_message_never_picks_a_negative_option(interpret):
    # "d'accord" is in every label; the shortest is "Pas du tout d'accord".
    assert interpret("bien d'accord", AGREEMENT) != Answer("disagree_fully")


def test_a_birth_year_in_two_digits_is_no_age(interpret):
    assert interpret("je suis né en 70", AGES) == Answer("b")  # 55 or 56, not 70


def test_an_ambiguous_answer_names_its_words_and_the_options(interpret):
    modes = question(
        "choice",
        [
            ("public", "Transports en commun"),
            ("on_demand", "Transport à la demande"),
            ("car", "Voiture"),
        ],
    )
    shared = interpret("les transports", modes)
    assert shared == Reject("ambiguous")
    assert (shared.words, shared.options) == ("transports", ("public", "on_demand"))
    both = interpret("bus ou voiture", question("choice", [("bus", "Bus"), ("car", "Voiture")]))
    assert (both.words, both.options) == ("bus … voiture", ("bus", "car"))
    several = interpret("vélo et transports", question("multi_choice", [*modes_choices()]))
    assert several.options == ("public", "on_demand")


def modes_choices():
    return [
        ("public", "Transports en commun"),
        ("on_demand", "Transport à la demande"),
        ("bike", "Vélo"),
    ]


AGREE_EN = question(
    "choice",
    [("sa", "Strongly agree"), ("a", "Agree"), ("d", "Disagree"), ("sd", "Strongly disagree")],
)


@pytest.mark.parametrize(
    "text",
    [
        "tout sauf la voiture",
        "le bus surtout pas",
        "je ne prends plus le train",
        "le train non plus",
    ],
)
def test_an_option_denied_before_or_after_is_not_chosen(interpret, text):
    assert isinstance(interpret(text, MODE), Reject)


def test_anything_but_is_no_single_choice(interpret):
    assert isinstance(interpret("anything but the bus", MODE_EN, "en"), Reject)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ni bus ni train, en voiture", "car"),
        ("pas en voiture mais a velo", "bike"),
        ("je prends plus souvent le train", "train"),
    ],
)
def test_the_option_left_after_a_denial_is_chosen(interpret, text, expected):
    assert interpret(text, MODE) == Answer(expected)


def test_an_english_negated_agreement_is_the_disagreeing_side(interpret):
    assert interpret("i don't agree", AGREE_EN, "en") == Answer("d")


OPINION = question("choice", [("for", "Pour"), ("against", "Contre"), ("none", "Sans avis")])


def test_an_option_named_sans_still_lets_pas_deny(interpret):
    assert isinstance(interpret("pas pour", OPINION), Reject)
    assert interpret("plutot contre", OPINION) == Answer("against")


def test_a_shared_word_names_the_options_not_denied(interpret):
    assert interpret("on est locataires mais pas en hlm", HOUSING) == Answer("private")


def test_both_in_digits_is_no_single_choice(interpret):
    assert isinstance(interpret("les 2", MODE), Reject)


def test_a_denied_emoji_is_not_a_command(interpret):
    assert isinstance(interpret("pas de 🚗", MODE), Reject)


def test_an_english_contraction_denies_the_option_after_its_verb(interpret):
    assert isinstance(interpret("i don't take the car", MODE_EN, "en"), Reject)


def test_no_right_before_an_option_denies_it(interpret):
    assert interpret("no car, i take the bus", MODE_EN, "en") == Answer("bus")
    assert interpret("no, the bus", MODE_EN, "en") == Answer("bus")


@pytest.mark.parametrize("text", ["je m'en fous", "ni l'un ni l'autre", "peu importe"])
def test_indifference_is_no_opinion_not_a_command(interpret, text):
    assert interpret(text, OPINION) == Answer("none")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("agreed", "a"), ("totally", "sa"), ("i do not agree at all", "sd"), ("kinda agree", "a")],
)
def test_english_agreement_said_every_way(interpret, text, expected):
    assert interpret(text, AGREE_EN, "en") == Answer(expected)
