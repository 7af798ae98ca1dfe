"""Every bundled flow is a valid flow: flows are tested as example programs."""

import datetime as dt
import re
from pathlib import Path

import pytest

from flows.conditions import Compare
from flows.engine import advance
from flows.events import Message, Start
from flows.loader import load_flow, parse_flow
from nlu.interpretation import Answer, Command

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


def test_the_readme_duration_example_is_valid():
    (snippet,) = [block for block in reference_blocks() if "id: travel_minutes" in block]
    flow = parse_flow(FLOW_FOR_SNIPPETS + snippet + "outro: {fr: Merci, en: Thanks}\n", "README.md")
    assert flow.question("travel_minutes").unit == "minutes"
    assert flow.question("travel_minutes").specs["fr"].unit == "minutes"


def test_the_readme_sections_example_is_valid():
    (snippet,) = [block for block in reference_blocks() if block.startswith("progress:")]
    head = FLOW_FOR_SNIPPETS.replace("questions:\n", "")
    flow = parse_flow(head + snippet + "outro: {fr: Merci, en: Thanks}\n", "README.md")
    assert flow.progress == "sections"
    assert [title.get("en") for title in flow.sections] == [
        "You and your high school",
        "The buildings",
    ]
    assert flow.question("buildings").section == 1
    assert flow.question("buildings").before[0].get("fr") == "La Région entretient 99 lycées."


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
  - id: works_order
    type: ranking
    text: W
    choices: [{id: heating, label: H}, {id: roofs, label: R}]
"""
    for condition in conditions:
        text = (
            "id: demo\ntitle: Démo\nlanguages: [fr]\nconsent: OK ?\nquestions:\n"
            + earlier
            + f"  - id: last\n    type: free_text\n    text: L\n    {condition}\noutro: Merci\n"
        )
        flow = parse_flow(text, "README.md")
        assert flow.question("last").when is not None, condition


# -- dry runs: each bundled flow can be completed, whichever answers are given ------


def first_answer(question):
    """The smallest answer a question accepts, as nlu would give it."""
    return {
        "yes_no": lambda: False,
        "choice": lambda: question.choices[0].id,
        "multi_choice": lambda: tuple(
            c.id for c in question.choices[: question.min_selections or 1]
        ),
        "ranking": lambda: tuple(c.id for c in question.choices[: question.rank_count()]),
        "number": lambda: question.min if question.min is not None else 0,
        "scale": lambda: question.min,
        "free_text": lambda: "Rien à ajouter.",
        "postal_code": lambda: "45000",
        "commune": lambda: "45234",  # Orléans, as nlu answers: its INSEE code
        "date": lambda: (question.min_date or dt.date(2026, 10, 1)).isoformat(),
    }[question.type]()


def last_answer(question):
    """The largest answer a question accepts (another path through the branches)."""
    choices = [c for c in question.choices if not c.exclusive]  # "Aucune" stands alone
    return {
        "yes_no": lambda: True,
        "choice": lambda: choices[-1].id,
        "multi_choice": lambda: tuple(c.id for c in choices[-(question.max_selections or 1) :]),
        "ranking": lambda: tuple(c.id for c in reversed(choices))[: question.rank_count()],
        "number": lambda: question.max if question.max is not None else 1000,
        "scale": lambda: question.max,
        "free_text": lambda: "Plus de trains le soir.",
        "postal_code": lambda: "37000",
        "commune": lambda: "37261",  # Tours
        "date": lambda: (question.max_date or dt.date(2026, 12, 1)).isoformat(),
    }[question.type]()


def dry_run(flow, answer_for, skip_optional=False):
    """Start, consent, answer every question asked; return the ids asked, in order."""
    now = dt.datetime.combine(flow.opens or dt.date(2026, 10, 1), dt.time(12), dt.UTC)
    lang = flow.languages[-1]
    transition = advance(flow, None, Start(flow.id, lang), now)
    transition = advance(
        flow, transition.state, Message("oui", Answer(True), lang, consent_asked=True), now
    )
    asked = []
    while transition.state is not None and transition.state.status == "asking":
        if transition.state.detail_asked:  # "other, please specify"
            message = Message("…", Answer("la trottinette"), lang)
            transition = advance(flow, transition.state, message, now)
            continue
        question = flow.question(transition.state.question_id)
        assert question.id not in asked, f"{question.id} asked twice"
        asked.append(question.id)
        if skip_optional and question.optional:
            message = Message("passer", Command("skip"), lang)
        else:
            message = Message("…", Answer(answer_for(question)), lang)
        transition = advance(flow, transition.state, message, now)
    assert transition.state is not None
    if flow.review:
        assert transition.state.status == "reviewing"
        transition = advance(flow, transition.state, Message("…", Answer("send"), lang), now)
    assert transition.state.status == "completed"
    assert transition.replies[-1].text == flow.outro.get(lang)
    return asked


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_bundled_flow_can_be_completed_along_several_paths(path):
    flow = load_flow(path)
    paths = [
        dry_run(flow, first_answer),
        dry_run(flow, last_answer),
        dry_run(flow, first_answer, skip_optional=True),
        dry_run(flow, last_answer, skip_optional=True),
    ]
    unconditional = [q.id for q in flow.questions if q.when is None]
    for asked in paths:
        assert set(unconditional) <= set(asked)
        order = [q.id for q in flow.questions]
        assert asked == sorted(asked, key=order.index)


def test_the_richer_flow_branches_differently_along_different_paths():
    flow = load_flow(Path(__file__).resolve().parents[2] / "flows/examples/lycees.yml")
    smallest = dry_run(flow, first_answer)
    largest = dry_run(flow, last_answer, skip_optional=True)
    # student, 0 minutes, poor buildings, no meeting / another resident, skips, meeting
    assert "renovation" in smallest
    assert "travel_modes" not in smallest  # a 0-minute journey has no mode
    assert "meeting_date" not in smallest
    assert "home_commune" in largest  # postal code skipped
    assert "school_commune" not in largest  # another resident
    assert "meeting_date" in largest


def test_the_demo_announces_as_many_questions_as_it_asks():
    flow = load_flow(Path(__file__).resolve().parents[2] / "flows/examples/mobilite.yml")
    assert len(flow.questions) == 4
    assert flow.greetings["fr"][0].text.endswith("Quatre questions, deux minutes.")
    assert flow.greetings["en"][0].text.endswith("Four questions, two minutes.")


def test_the_readme_example_announces_its_questions():
    # Three questions, the last asked only after a low rating.
    flow = parse_flow(reference_blocks()[0], "README.md")
    assert len(flow.questions) == 3
    assert flow.greetings["fr"][0].text == "Bonjour ! Trois questions au plus, une minute."
    assert flow.greetings["en"][0].text == "Hello! Three questions at most, one minute."
