import pytest

from nlu import Answer, Candidate, Confirm, Interpreter, Reject

from .conftest import TODAY, question

COMMUNE = question("commune")


@pytest.mark.parametrize(
    ("text", "insee"),
    [
        ("Blois", "41018"),
        ("BLOIS", "41018"),
        ("vendome", "41269"),
        ("Saint-Cyr-sur-Loire", "37214"),
        ("st cyr sur loire", "37214"),
        ("Ste Maure de Touraine", "37226"),
        ("j'habite à Issoudun depuis peu", "36088"),
        ("je travaille au Mans", "72181"),
        ("Chateaudun", "28088"),
        ("Vierzonn", "18279"),
        ("28000", "28085"),
    ],
)
def test_communes(interpret, text, insee):
    assert interpret(text, COMMUNE) == Answer(insee)


def test_an_answer_names_the_commune_as_a_confirmation_would(interpret):
    # Its value is a code the resident never typed: this is what they are shown.
    assert interpret("st jean de braye", COMMUNE).label == "Saint-Jean-de-Braye (45)"
    assert interpret("Chateauroux", COMMUNE).label == "Châteauroux (36)"
    assert interpret("36000", COMMUNE).label == "Châteauroux (36)"
    assert interpret("Vineuil", COMMUNE).candidates[1].label == "Vineuil (36)"


def test_a_shared_name_resolves_to_the_region_or_a_named_department(interpret):
    # Olivet: one in Loiret (region 24), one in Mayenne.
    assert interpret("Olivet", COMMUNE) == Answer("45232")
    # Vineuil: one in Indre, one in Loir-et-Cher, both in region 24.
    assert interpret("Vineuil", COMMUNE) == Confirm(
        (Candidate("41295", "Vineuil (41)"), Candidate("36247", "Vineuil (36)")), "homonyms"
    )
    assert interpret("Vineuil (36)", COMMUNE) == Answer("36247")
    assert interpret("Vineuil dans le Loir-et-Cher", COMMUNE) == Answer("41295")


def test_the_region_is_a_setting():
    mayenne = Interpreter(region="52")
    assert mayenne.interpret("Olivet", COMMUNE, "fr", TODAY) == Answer("53169")


def test_a_landmark_yields_to_where_the_resident_lives(interpret):
    assert interpret("près de Tours, à Joué-lès-Tours", COMMUNE) == Answer("37122")
    assert interpret("Blois, enfin Vineuil en fait", COMMUNE) == Answer("41295")


def test_unknown_places(interpret):
    assert interpret("Poudlard", COMMUNE) == Reject("unknown_commune")
    assert interpret("dans le Cher", COMMUNE) == Reject("unknown_commune")
    # "This" is a commune of the Ardennes, but not in this sentence.
    assert interpret("skip this", COMMUNE) != Answer("08450")


def test_a_first_word_offers_the_regional_commune_first(interpret):
    # Chambray (Eure, a few hundred people) vs Chambray-lès-Tours in the region:
    # a partial name is put to the resident, the region's commune first.
    assert interpret("chambray", COMMUNE) == Confirm(
        (Candidate("37050", "Chambray-lès-Tours (37)"), Candidate("27140", "Chambray (27)")),
        "partial",
    )
    # Bordeaux is Bordeaux, not Bordeaux-en-Gâtinais (Loiret).
    assert interpret("Bordeaux", COMMUNE) == Answer("33063")


def test_homonyms_are_offered_with_the_regions_communes_first(interpret):
    got = interpret("Saint-Martin", COMMUNE)
    assert isinstance(got, Confirm)
    assert got.reason == "homonyms"
    labels = [c.label for c in got.candidates]
    assert len(labels) == 5
    assert all(label.startswith("Saint-Martin-") for label in labels)  # all of region 24


def test_a_postal_code_of_several_communes_asks_which(interpret):
    got = interpret("41000", COMMUNE)
    assert isinstance(got, Confirm)
    assert got.candidates[0] == Candidate("41018", "Blois (41)")


def test_a_loose_spelling_is_asked_a_close_one_taken(interpret):
    assert interpret("Chateauroo", COMMUNE) == Confirm(
        (Candidate("36044", "Châteauroux (36)"),), "spelling"
    )
    assert interpret("Chateaurou", COMMUNE) == Answer("36044")


@pytest.mark.parametrize("text", ["pas loin de Vendôme", "entre Blois et Vendôme", "near Bourges"])
def test_a_place_near_communes_is_no_commune(interpret, text):
    assert isinstance(interpret(text, COMMUNE, "en" if "near" in text else "fr"), Reject)


def test_a_name_without_its_article(interpret):
    assert interpret("Chapelle Saint Mesmin", COMMUNE) == Answer("45075")
    assert interpret("Ferte Imbault", COMMUNE) == Answer("41084")


def test_a_small_commune_far_away_whose_name_starts_names_of_the_region_is_asked(interpret):
    got = interpret("Ste Maure", COMMUNE)
    assert got == Confirm(
        (
            Candidate("37226", "Sainte-Maure-de-Touraine (37)"),
            Candidate("10352", "Sainte-Maure (10)"),
        ),
        "partial",
    )
    assert interpret("Bordeaux", COMMUNE) == Answer("33063")  # a city, not Bordeaux-en-Gâtinais


@pytest.mark.parametrize(
    "text", ["a 10 km de Gien", "20 minutes from Tours", "aux alentours de Vierzon"]
)
def test_a_distance_from_a_town_is_not_that_town(interpret, text):
    assert isinstance(interpret(text, question("commune")), Reject)
    assert isinstance(interpret(text, question("postal_code")), Reject)


def test_a_partial_name_is_confirmed_not_guessed(interpret):
    fleury = interpret("fleury", question("commune"))
    assert isinstance(fleury, Confirm)
    assert fleury.reason == "partial"
    assert fleury.candidates[0] == Candidate("45147", "Fleury-les-Aubrais (45)")
    chartre = interpret("chartre", question("commune"))
    assert isinstance(chartre, Confirm)
    assert [c.value for c in chartre.candidates] == ["28085", "72068"]


@pytest.mark.parametrize(
    "text", ["Amboise, enfin a cote", "Blois ou pas loin", "Tours, around there"]
)
def test_a_town_said_to_be_only_near_is_not_that_town(interpret, text):
    assert isinstance(interpret(text, question("commune")), Reject)


def test_a_town_near_a_landmark_is_that_town(interpret):
    assert interpret("Amilly près de Montargis", question("commune")) == Answer("45004")
