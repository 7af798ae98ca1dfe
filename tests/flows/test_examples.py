"""Every bundled flow is a valid flow (STYLE.md rule 12: flows are example programs)."""

import re
from pathlib import Path

import pytest

from flows.conditions import Compare
from flows.loader import load_flow, parse_flow

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


# -- the README's flow-format reference: its examples must be valid flows ---------

README = Path(__file__).resolve().parents[2] / "README.md"


def reference_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Writing a consultation") :]
    return re.findall(r"```yaml\n(.*?)```", section, flags=re.DOTALL)


def test_the_readme_example_flow_is_valid():
    flow = parse_flow(reference_blocks()[0], "README.md")
    assert [q.id for q in flow.questions] == ["mode", "satisfaction", "why"]
    assert flow.question("why").when == Compare("satisfaction", "lte", 2)


def test_the_readme_question_example_is_valid():
    (snippet,) = [block for block in reference_blocks() if "id: priorities" in block]
    flow = parse_flow(FLOW_FOR_SNIPPETS + snippet + "outro: {fr: Merci, en: Thanks}\n", "README.md")
    assert flow.question("priorities").max_selections == 2


FLOW_FOR_SNIPPETS = """\
id: demo
languages: [fr, en]
title: {fr: Démo, en: Demo}
consent: {fr: Acceptez-vous ?, en: Do you agree?}
questions:
"""


def test_every_readme_condition_example_is_valid():
    (block,) = [block for block in reference_blocks() if block.startswith("when:")]
    conditions = [line.split("#")[0].strip() for line in block.splitlines()]
    assert len(conditions) >= 10
    earlier = """\
  - {id: role, type: choice, text: R, choices: [{id: parent, label: P}, {id: other, label: O}]}
  - id: mode
    type: choice
    text: M
    choices: [{id: car, label: C}, {id: bus, label: B}, {id: walk, label: W}]
  - {id: satisfaction, type: scale, min: 1, max: 5, text: S}
  - {id: postal_code, type: postal_code, optional: true, text: P}
  - id: priorities
    type: multi_choice
    text: P
    choices: [{id: canteen, label: C}, {id: boarding, label: B}]
  - {id: meeting, type: yes_no, text: M}
"""
    for condition in conditions:
        text = (
            "id: demo\ntitle: Démo\nlanguages: [fr]\nconsent: OK ?\nquestions:\n"
            + earlier
            + f"  - id: last\n    type: free_text\n    text: L\n    {condition}\noutro: Merci\n"
        )
        flow = parse_flow(text, "README.md")
        assert flow.question("last").when is not None, condition
