import pytest

from nlu import Answer, Candidate, Command, Confirm, Reject
from nlu.numbers import parse_number

from .conftest import question


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [
        ("42", "fr", 42),
        ("quarante-deux", "fr", 42),
        ("soixante et onze", "fr", 71),
        ("1 500 €", "fr", 1500),
        ("j'ai 33 ans", "fr", 33),
        ("deux fois par mois", "fr", 2),
        ("aucun", "fr", 0),
        ("juste moi", "fr", 1),
        ("moi et mon mari", "fr", 2),
        ("forty-two", "en", 42),
        ("none", "en", 0),
        ("about", "en", None),
    ],
)
def test_numbers_in_digits_and_words(text, lang, value):
    expected = Answer(value) if value is not None else Reject("not_understood")
    got = parse_number(text, lang, 0, 2000)
    assert got == expected or (value is None and isinstance(got, Reject))


@pytest.mark.parametrize(
    "text", ["une vingtaine", "moins de 30", "a few", "plusieurs", "presque 30"]
)
def test_vague_quantities_are_rejected(text):
    assert parse_number(text, "fr", 0, 100) == Reject("approximate")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("environ 30", "fr"),
        ("à peu près 30 €", "fr"),
        ("30 grosso modo", "fr"),
        ("~30", "fr"),
        ("about 30", "en"),
        ("30ish", "en"),
        ("roughly thirty", "en"),
    ],
)
def test_an_estimated_figure_is_that_figure(text, lang):
    assert parse_number(text, lang, 0, 100) == Answer(30)


@pytest.mark.parametrize(
    ("text", "lang", "total"),
    [
        ("trois adultes et deux enfants", "fr", 5),
        ("1 adulte + 2 ados", "fr", 3),
        ("one adult and three children", "en", 4),
    ],
)
def test_a_count_in_parts_is_confirmed_as_its_sum(text, lang, total):
    assert parse_number(text, lang, 0, 20) == Confirm((Candidate(total),), "sum")


def test_a_number_out_of_a_long_sentence_is_confirmed():
    text = "alors nous on a 3 voitures mais une est au garage depuis des mois"
    assert parse_number(text, "fr", 0, 20) == Confirm((Candidate(3),), "sentence")
    assert parse_number("je fais 8 km pour aller bosser", "fr", 0, 20) == Answer(8)


@pytest.mark.parametrize("text", ["20 ou 30", "entre 20 et 30", "20-30", "3 or 4"])
def test_ranges_are_ambiguous(text):
    assert parse_number(text, "fr", 0, 100) == Reject("ambiguous")


def test_bounds_are_inclusive():
    assert parse_number("0", "fr", 0, 10) == Answer(0)
    assert parse_number("10", "fr", 0, 10) == Answer(10)
    assert parse_number("11", "fr", 0, 10) == Reject("out_of_range")
    assert parse_number("-1", "fr", 0, 10) == Reject("out_of_range")


def test_decimals_are_not_whole_numbers():
    assert isinstance(parse_number("2,5", "fr", 0, 10), Reject)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("4/5", 4),
        ("4 sur 5", 4),
        ("4 out of 5", 4),
        ("⭐⭐⭐⭐", 4),
        ("3 étoiles", 3),
        ("la meilleure note", 5),
        ("cinq", 5),
    ],
)
def test_ratings(text, value):
    assert parse_number(text, "fr", 1, 5, scale=True) == Answer(value)


def test_a_number_word_inside_a_request_yields_to_the_command(interpret):
    spec = question("scale", min=0, max=10)
    assert interpret("un conseiller svp", spec) == Command("human")
    assert interpret("je veux recommencer à zéro", question("number", min=0, max=9)) == Command(
        "restart"
    )
    assert interpret("zéro", spec) == Answer(0)


def test_an_approximate_count_written_with_digits_is_asked_again(interpret):
    assert interpret("30aine", question("number", min=0, max=100)) == Reject("approximate")


@pytest.mark.parametrize("text", ["j'en ai pas", "je n'en ai pas", "i don't have any"])
def test_having_none_is_zero_not_a_command(interpret, text):
    assert interpret(text, question("number", min=0, max=10)) == Answer(0)


@pytest.mark.parametrize(
    ("text", "total"),
    [
        ("moi ma femme et nos 2 enfants", 4),
        ("me and my 3 kids", 4),
        ("moi, ma femme et mon fils", 3),
        # parts listed without "et" between every one
        ("2 grown ups 2 kids", 4),
        ("3 adultes, 1 ado et 2 petits", 6),
        ("on est 2 adultes + 1 bebe", 3),
    ],
)
def test_a_household_counted_one_by_one_is_confirmed(interpret, text, total):
    assert interpret(text, question("number", min=0, max=20)) == Confirm((Candidate(total),), "sum")


def test_a_couple_is_two(interpret):
    assert interpret("moi et mon mari", question("number", min=0, max=20)) == Answer(2)


@pytest.mark.parametrize("text", ["3 et demi", "3 and a half", "4/5 voire 3"])
def test_halves_hedges_and_second_figures_are_no_whole_rating(interpret, text):
    assert isinstance(interpret(text, question("scale", min=1, max=5)), Reject)


@pytest.mark.parametrize("text", ["bien", "tres bien", "moyen"])
def test_a_word_rating_is_asked_again_not_taken_for_help(interpret, text):
    assert isinstance(interpret(text, question("scale", min=1, max=5)), Reject)


def test_figures_with_units_are_not_summed(interpret):
    assert interpret("12 km 3 fois", question("number", min=0, max=20)) == Reject("ambiguous")


@pytest.mark.parametrize(
    ("text", "value"), [("****", 4), ("3 etoiles sur 5", 3), ("2 sur 5 pas plus", 2)]
)
def test_ratings_typed_with_asterisks_or_a_unit(interpret, text, value):
    assert interpret(text, question("scale", min=1, max=5)) == Answer(value)


@pytest.mark.parametrize("text", ["12 max", "20 minimum", "3 ou plus", "10 at most"])
def test_a_bound_said_after_the_figure_is_no_figure(interpret, text):
    assert interpret(text, question("number", min=0, max=100)) == Reject("approximate")


def test_plus_or_minus_is_about_the_figure(interpret):
    assert interpret("+/- 12", question("number", min=0, max=100)) == Answer(12)
    assert interpret("12 min", question("number", min=0, max=100)) == Answer(12)


@pytest.mark.parametrize("digits", ["4", "0042", "45000", "999999999999999", "1000000000000000"])
def test_digits_alone_read_as_in_a_sentence(digits):
    # Digits alone skip the readers (nlu.numbers._is_plain_figure); in a short
    # sentence they go through them, and the figure must be the same.
    alone = parse_number(digits, "fr", 0, None)
    said = parse_number(f"{digits} voilà", "fr", 0, None)
    assert alone == said == Answer(int(digits))
    assert parse_number(digits, "fr", 5, 10) == Reject("out_of_range")  # none is 5 to 10


@pytest.mark.parametrize(
    ("text", "lang", "minutes"),
    [
        ("une demi-heure", "fr", 30),
        ("1h30", "fr", 90),
        ("1 h 15", "fr", 75),
        ("une heure et quart", "fr", 75),
        ("trois quarts d'heure", "fr", 45),
        ("3/4 d'heure", "fr", 45),
        ("2 heures", "fr", 120),
        ("une heure", "fr", 60),
        ("une bonne demi-heure", "fr", 30),
        ("an hour and a half", "en", 90),
        ("half an hour", "en", 30),
        ("one hour", "en", 60),
        ("a quarter of an hour", "en", 15),
        ("90 min", "fr", 90),
    ],
)
def test_a_duration_is_read_in_the_minutes_the_question_counts(text, lang, minutes):
    assert parse_number(text, lang, 0, 240, unit="minutes") == Answer(minutes)


@pytest.mark.parametrize(
    ("text", "value"),
    [("2 heures", Answer(2)), ("120 minutes", Answer(2)), ("1h30", Reject("not_understood"))],
)
def test_a_duration_is_read_in_hours_only_when_it_is_whole_hours(text, value):
    assert parse_number(text, "fr", 0, 24, unit="hours") == value


@pytest.mark.parametrize(
    "text", ["une demi-heure", "2 heures", "trois quarts d'heure", "une heure", "1h30"]
)
def test_a_duration_in_hours_on_a_question_of_unknown_unit_is_asked_again(text):
    # "une demi-heure" is not 1, "2 heures" is 2 only if the question counts hours.
    assert isinstance(parse_number(text, "fr", 0, 240), Reject)
    assert parse_number("one hour", "en", 0, 240) == Reject("not_understood")


@pytest.mark.parametrize(
    ("text", "reason"),
    [("1h ou 1h30", "ambiguous"), ("plus d'une heure", "approximate"), ("2h max", "approximate")],
)
def test_durations_that_are_not_one_figure_are_asked_again(text, reason):
    assert parse_number(text, "fr", 0, 240, unit="minutes") == Reject(reason)


def test_a_duration_read_from_a_long_sentence_is_confirmed_in_minutes():
    text = "je mets une heure et demie le matin pour aller au lycée en car"
    assert parse_number(text, "fr", 0, 240, unit="minutes") == Confirm((Candidate(90),), "sentence")
