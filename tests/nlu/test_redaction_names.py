"""Names in free text, as residents give them: flagged and replaced, while the
places and words of everyday answers are left alone."""

import json
from pathlib import Path

import pytest

from nlu.redaction import PersonalData, redact

DATA = Path(__file__).parent / "data"
DEMO_SCRIPT = Path(__file__).parents[2] / "flows" / "examples" / "mobilite.script.txt"


@pytest.mark.parametrize(
    ("text", "redacted", "name"),
    [
        (
            "je suis Marie Lefèvre, le bus ne passe plus",
            "je suis [nom], le bus ne passe plus",
            "Marie Lefèvre",
        ),
        (
            "Je m'appelle Jean Martin et j'habite à Tours",
            "Je m'appelle [nom] et j'habite à Tours",
            "Jean Martin",
        ),
        (
            "je m'appelle marie lefevre et je prends le train",
            "je m'appelle [nom] et je prends le train",
            "marie lefevre",
        ),
        ("Mme Durand trouve le tram trop cher", "Mme [nom] trouve le tram trop cher", "Durand"),
        ("M. et Mme Petit, Orléans", "M. et Mme [nom], Orléans", "Petit"),
        (
            "Plus de bus le soir. Cordialement, Paul Girard",
            "Plus de bus le soir. Cordialement, [nom]",
            "Paul Girard",
        ),
        ("Plus de bus.\nBien à vous,\nPaul G.", "Plus de bus.\nBien à vous,\n[nom].", "Paul G"),
        (
            "moi c'est Sophie, je vais au lycée à vélo",
            "moi c'est [nom], je vais au lycée à vélo",
            "Sophie",
        ),
    ],
)
def test_french_names_are_flagged_and_replaced(text, redacted, name):
    result = redact(text)
    assert result.text == redacted
    assert result.found == (PersonalData("name", name),)


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (
            "my name is John Smith and the trains are late",
            "my name is [name] and the trains are late",
        ),
        ("I'm John Smith, I cycle to work", "I'm [name], I cycle to work"),
        ("Mr and Mrs Smith would take the bus", "Mr and Mrs [name] would take the bus"),
        (
            "More trains please. Kind regards, Emma Jones",
            "More trains please. Kind regards, [name]",
        ),
    ],
)
def test_english_names_are_flagged_with_english_placeholders(text, redacted):
    result = redact(text, lang="en")
    assert result.text == redacted
    assert [found.kind for found in result.found] == ["name"]


@pytest.mark.parametrize(
    "text",
    [
        "Je suis satisfait du service",
        "je suis pour",
        "Je suis Orléanais depuis 20 ans",
        "je suis à Tours tous les jours",
        "Madame la Présidente, le bus est trop cher",
        "Monsieur le Maire devrait agir",
        "Plus de trains entre Saint-Jean-de-Braye et Orléans",
        "Je suis Président du club de vélo",
        "Merci Orléans Métropole",
        "Merci pour le TER",
        "Cordialement, un habitant de Blois",
        "JE SUIS TRES ENERVE CONTRE LA SNCF",
        "je m'appelle pas comme ça",
        "I'm not sure, maybe",
        "Merci. Bonne Journée",
    ],
)
def test_places_and_everyday_words_are_no_names(text):
    assert redact(text).text == text
    assert redact(text).found == ()


def _resident_texts() -> list[str]:
    texts = []
    for path in sorted(DATA.glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text().splitlines() if line]
    texts += [
        line for line in DEMO_SCRIPT.read_text().splitlines() if line and not line.startswith("#")
    ]
    return texts


def test_no_name_is_found_in_the_projects_resident_answers():
    # Thousands of everyday answers (the evaluation sets, the demo's script),
    # none of which gives a name: each one flagged would be a moderator's
    # redaction suggestion for nothing.
    texts = _resident_texts()
    assert len(texts) > 4000
    flagged = [
        (text, found.value)
        for text in texts
        for found in redact(text).found
        if found.kind == "name"
    ]
    assert flagged == []


def test_a_street_named_after_someone_stays_an_address():
    result = redact("j'habite au 12 rue Jean Jaurès, je suis Paul Girard")
    assert result.text == "j'habite au [adresse], je suis [nom]"
    assert [found.kind for found in result.found] == ["address", "name"]


def test_100_kb_of_cues_come_back_in_linear_time():
    # A cue scanned again from each position would hang here.
    for text in ("je suis " * 12_000, "Mme " * 25_000, "Cordialement, " * 7_000, "Aa " * 33_000):
        assert redact(text).text == text
    many = redact("je suis Marie Durand. " * 4_000)
    assert many.text.count("[nom]") == 4_000
