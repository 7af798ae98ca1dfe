"""Every bundled flow is a valid flow (STYLE.md rule 12: flows are example programs)."""

from pathlib import Path

import pytest

from flows.loader import load_flow

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "flows" / "examples").glob("*.yml"))


def test_there_are_bundled_flows():
    assert {path.stem for path in EXAMPLES} >= {"mobilite"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_bundled_flow_validates(path):
    flow = load_flow(path)
    assert flow.id == path.stem
    assert flow.questions
    for question in flow.questions:
        for lang in flow.languages:
            assert question.text.get(lang).strip()
            assert lang in question.text.languages()


def test_mobilite_is_the_demo_consultation():
    flow = load_flow(Path(__file__).resolve().parents[2] / "flows/examples/mobilite.yml")
    assert flow.languages == ("fr", "en")
    assert [q.type for q in flow.questions] == ["choice", "scale", "postal_code", "free_text"]
    mode = flow.question("mode")
    assert mode.text.get("fr") == "Comment vous déplacez-vous le plus souvent ?"
    assert [c.label.get("fr") for c in mode.choices] == [
        "Voiture",
        "Train",
        "Bus",
        "Vélo",
        "À pied",
    ]
    assert (flow.question("satisfaction").min, flow.question("satisfaction").max) == (1, 5)
    assert flow.question("postal_code").text.get("fr") == "Quel est votre code postal ?"
    assert flow.outro.get("fr").startswith("Merci")
    assert "Acceptez-vous" in flow.consent.get("fr")
