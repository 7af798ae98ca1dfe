import pytest

from nlu.training_data import TrainingDataError, parse_many, parse_training_data

RASA = """
version: "3.1"
nlu:
- intent: greet
  examples: |
    - bonjour
    - salut [Marie](name)
    - je suis [Paul]{"entity": "name"}
- synonym: voiture
  examples: |
    - bagnole
- lookup: villes
  examples: |
    - Tours
- regex: zip
  examples: |
    - \\d{5}
- intent: greet
  examples:
    - text: coucou
      metadata: {sentiment: neutral}
"""


def test_reads_intents_synonyms_and_lookups_without_annotations():
    data = parse_training_data(RASA)
    assert data.intents["greet"] == ("bonjour", "salut Marie", "je suis Paul", "coucou")
    assert data.synonyms == {"voiture": ("bagnole",)}
    assert data.lookups == {"villes": ("Tours",)}


def test_several_files_merge():
    other = "nlu:\n- synonym: voiture\n  examples: |\n    - caisse\n    - bagnole\n"
    data = parse_many([("a.yml", RASA), ("b.yml", other)])
    assert data.synonyms["voiture"] == ("bagnole", "caisse")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nlu: [", "not valid YAML"),
        ("- a list", "mapping"),
        ("nlu: {intent: x}", "list"),
        ("nlu:\n- 42", "item 1"),
        ("nlu:\n- intent: ''\n  examples: |\n    - a", "empty"),
        ("nlu:\n- intent: x\n  examples: 3", "examples"),
    ],
)
def test_bad_files_name_the_problem(text, message):
    with pytest.raises(TrainingDataError, match=message):
        parse_training_data(text, source="mine.yml")


def test_empty_documents_are_empty():
    assert parse_training_data("").intents == {}
    assert parse_training_data("nlu:").intents == {}
