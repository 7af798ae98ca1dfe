from nlu import Answer, Command, QuestionSpec, Reject

from .conftest import TODAY, question

NEEDS = question(
    "multi_choice",
    [
        ("bus", "Plus de bus"),
        ("bike", "Pistes cyclables"),
        ("fares", "Tickets moins chers"),
        ("none", "Aucun"),
    ],
)
NEEDS_EN = question(
    "multi_choice",
    [("bus", "More buses"), ("bike", "Bike lanes"), ("fares", "Cheaper fares"), ("none", "None")],
)


def test_lists_come_back_in_the_question_order(interpret):
    assert interpret("vélo et bus", NEEDS) == Answer(("bus", "bike"))
    assert interpret("des tickets moins chers + des pistes cyclables", NEEDS) == Answer(
        ("bike", "fares")
    )
    assert interpret("bike lanes and cheaper tickets", NEEDS_EN, "en") == Answer(("bike", "fares"))


def test_positions(interpret):
    assert interpret("1 et 3", NEEDS) == Answer(("bus", "fares"))
    assert interpret("2, 3", NEEDS) == Answer(("bike", "fares"))
    assert interpret("les deux premiers", NEEDS) == Answer(("bus", "bike"))
    assert interpret("the first two", NEEDS_EN, "en") == Answer(("bus", "bike"))
    assert interpret("7", NEEDS) == Reject("out_of_range")


def test_all_and_all_but(interpret):
    assert interpret("tous", NEEDS) == Answer(("bus", "bike", "fares"))
    assert interpret("tout sauf le vélo", NEEDS) == Answer(("bus", "fares"))
    assert interpret("everything except bike lanes", NEEDS_EN, "en") == Answer(("bus", "fares"))


def test_none_is_an_answer_only_alone(interpret):
    assert interpret("aucun", NEEDS) == Answer(("none",))
    assert interpret("rien", NEEDS) == Answer(("none",))
    assert interpret("bus et aucun", NEEDS) == Reject("ambiguous")


def test_selection_bounds(interpret):
    at_most_one = question(
        "multi_choice", [("a", "Bus"), ("b", "Train"), ("c", "Vélo")], max_selections=1
    )
    at_least_two = question(
        "multi_choice", [("a", "Bus"), ("b", "Train"), ("c", "Vélo")], min_selections=2
    )
    assert interpret("bus et train", at_most_one) == Reject("too_many")
    assert interpret("bus", at_least_two) == Reject("too_few")


def test_a_sentence_with_tout_is_not_a_pick_of_everything(interpret):
    assert interpret("je veux tout recommencer depuis le début", NEEDS) == Command("restart")


def test_choices_of_one_lexicon_group_are_told_apart_by_their_own_words(interpret):
    energy = question("multi_choice", [("wind", "Éoliennes"), ("biogas", "Méthanisation")])
    assert interpret("les éoliennes", energy) == Answer(("wind",))
    assert interpret("éoliennes et méthanisation", energy) == Answer(("wind", "biogas"))
    assert interpret("l'éolien", energy) == Answer(("wind",))
    # A word of the group that names neither is asked about.
    assert interpret("les renouvelables", energy) == Reject(
        "ambiguous", words="renouvelables", options=("wind", "biogas")
    )


# The lycées' journey (flows/examples/lycees.yml) in French: the ids "car" and
# "bike" are no French names, and "car" is a word of "Car scolaire".
JOURNEY = question(
    "multi_choice",
    [
        ("school_bus", ("Car scolaire", "autocar", "bus")),
        ("train", "Train"),
        ("car", ("Voiture", "auto")),
        ("bike", ("Vélo ou trottinette", "vélo")),
        ("walk", ("À pied", "marche")),
    ],
)
JOURNEY_AT_MOST_2 = QuestionSpec("multi_choice", choices=JOURNEY.choices, max_selections=2)


def test_boxes_ticked_in_the_web_chat_are_their_ids(interpreter):
    # The web chat joins the tapped payloads: "car, bike" is Voiture and Vélo.
    def tapped(text, spec=JOURNEY):
        return interpreter.interpret(text, spec, "fr", TODAY, tapped=True)

    assert tapped("car, bike") == Answer(("car", "bike"))
    assert tapped("school_bus, car") == Answer(("school_bus", "car"))
    assert tapped("car, bike, walk", JOURNEY_AT_MOST_2) == Reject("too_many")
    assert tapped("bus et vélo") == Answer(("school_bus", "bike"))  # typed, as words
