"""Which options a message's words name, deny and prefer, read directly from
the matcher (the interpreter's tests read the same through whole answers)."""

from nlu.lexicon import Lexicon
from nlu.option_mentions import (
    affirmed,
    build_matcher,
    named,
    single_choice,
)
from nlu.option_words import content_words
from nlu.stems import stems

from .conftest import question

TRANSPORT = question(
    "single_choice",
    [
        ("bus", "Bus"),
        ("train", "Train"),
        ("car", "Voiture"),
        ("ebike", ("Vélo électrique", "VAE")),
    ],
)
LEXICON = Lexicon({"voiture": ("bagnole", "auto")})


def chosen(text: str) -> set[str]:
    """The options the words of `text` name once denied ones are dropped."""
    matcher = build_matcher(TRANSPORT, LEXICON)
    words = stems(text)
    mentions = affirmed(words, matcher.find(words), matcher)
    return {matcher.ids[i] for m in mentions for i in m.choices}


def the_one(text: str) -> str | None:
    matcher = build_matcher(TRANSPORT, LEXICON)
    words = stems(text)
    picked = single_choice(words, affirmed(words, matcher.find(words), matcher), matcher)
    return None if picked is None else matcher.ids[picked]


def test_labels_synonyms_lexicon_words_and_typos_name_their_option():
    assert chosen("le bus") == {"bus"}
    assert chosen("en VAE") == {"ebike"}
    assert chosen("ma bagnole") == {"car"}
    assert chosen("le trian") == set()  # too short to be read as a typo
    assert chosen("voitrue") == {"car"}


def test_a_negation_before_or_closing_after_denies_the_option():
    assert chosen("pas le bus, le train") == {"train"}
    assert chosen("je ne prends plus le train") == set()
    assert chosen("i don't take the car") == set()
    assert chosen("le bus surtout pas") == set()


def test_one_option_among_several_needs_a_preference_or_a_correction():
    assert the_one("bus ou train") is None
    assert the_one("surtout la bagnole, le bus quand il pleut") == "car"
    assert the_one("bus, enfin non, train") == "train"


def test_a_shared_word_names_the_option_it_fills_best_or_none_on_a_tie():
    tenants = build_matcher(
        question(
            "single_choice",
            [
                ("hlm", "Locataire HLM"),
                ("private", "Locataire du privé"),
                ("owner", "Propriétaire"),
            ],
        ),
        Lexicon({}),
    )
    words = stems("locataire")
    assert named(tenants.find(words), tenants.sizes) == set()
    words = stems("locataire HLM")
    assert named(tenants.find(words), tenants.sizes) == {0}


def test_a_word_an_option_names_itself_wins_over_a_group_another_option_calls_up():
    energy = build_matcher(
        question(
            "choice", [("wind", "Éoliennes"), ("biogas", "Méthanisation"), ("farms", "Parcs")]
        ),
        Lexicon({"énergies renouvelables": ("éoliennes", "méthanisation", "renouvelables")}),
    )

    def named_by(text: str) -> list[set[str]]:
        return [{energy.ids[i] for i in m.choices} for m in energy.find(stems(text))]

    assert named_by("les éoliennes") == [{"wind"}]
    assert named_by("la méthanisation") == [{"biogas"}]
    # The group's other words still mean either option that calls it up.
    assert named_by("les renouvelables") == [{"wind", "biogas"}]
    assert named_by("énergies renouvelables") == [{"wind", "biogas"}]


def test_a_group_s_words_go_to_the_option_that_names_its_value():
    modes = build_matcher(
        question(
            "choice",
            [
                ("car", "Voiture"),
                ("carpool", "Covoiturage"),
                ("wind", "Éoliennes"),
                ("biogas", "Méthanisation"),
            ],
        ),
        Lexicon(
            {
                "voiture": ("bagnole", "ma voiture", "covoiturage"),
                "énergies renouvelables": ("éoliennes", "éolien", "méthanisation"),
            }
        ),
    )

    def named_by(text: str) -> list[set[str]]:
        return [{modes.ids[i] for i in m.choices} for m in modes.find(stems(text))]

    assert named_by("la bagnole") == [{"car"}]  # "Covoiturage" is only listed in the group
    assert named_by("ma voiture") == [{"car"}]
    assert named_by("covoiturage") == [{"carpool"}]
    # "éolien" starts "Éoliennes": read as that option's shortened word.
    assert named_by("l'éolien") == [{"wind"}]


def test_content_words_are_stemmed_without_stopwords_unless_nothing_is_left():
    assert content_words("Le vélo électrique") == stems("vélo électrique")
    assert content_words("Le la") == stems("le la")
