"""One broken flow per kind of mistake (tests/flows/invalid/), each with the
message an organizer must see, on the line where the mistake is.

Each file says what it expects, as YAML comments:
    key: value  # error: TEXT          a problem on this line whose message contains TEXT
    # error on line N: TEXT            the same, for a line that cannot hold a comment
and nothing else may be reported.
"""

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.errors import FlowValidationError
from flows.loader import load_flow, parse_flow

INVALID = sorted((Path(__file__).parent / "invalid").glob("*.yml"))
INLINE = re.compile(r"#\s*error:\s*(.+)$")
HEADER = re.compile(r"^#\s*error on line (\d+):\s*(.+)$")


def expectations(path: Path) -> list[tuple[int, str]]:
    expected = []
    text = path.read_text(encoding="utf-8")
    for number, line in enumerate(text.split("\n"), start=1):  # as YAML counts lines
        header = HEADER.match(line)
        if header:
            expected.append((int(header.group(1)), header.group(2).strip()))
            continue
        inline = INLINE.search(line)
        if inline:
            expected.append((number, inline.group(1).strip()))
    return expected


def test_every_invalid_flow_says_what_it_expects():
    assert len(INVALID) >= 40
    for path in INVALID:
        assert expectations(path), f"{path.name} has no '# error:' comment"


@pytest.mark.parametrize("path", INVALID, ids=lambda path: path.stem)
def test_invalid_flow_reports_exactly_its_problems(path):
    with pytest.raises(FlowValidationError) as raised:
        load_flow(path)
    problems = raised.value.problems
    reported = [(problem.line, str(problem)) for problem in problems]
    for line, text in expectations(path):
        assert any(at == line and text in message for at, message in reported), (
            f"expected on line {line}: {text!r}\nreported:\n"
            + "\n".join(f"  {m}" for _, m in reported)
        )
    assert len(problems) == len(expectations(path)), "\n".join(m for _, m in reported)
    for problem in problems:
        assert problem.file == str(path)


def test_problems_name_the_question_they_are_in():
    path = Path(__file__).parent / "invalid" / "when_out_of_range.yml"
    with pytest.raises(FlowValidationError) as raised:
        load_flow(path)
    (problem,) = raised.value.problems
    assert problem.question_id == "why"
    assert str(problem).startswith(f"{path}:{problem.line} (question why): ")


def test_all_problems_of_a_file_are_reported_together():
    text = """
id: Demo
title: {fr: Démo}
languages: [fr, en]
consent: {fr: "Acceptez-vous ?", en: "Do you agree?"}
questions:
  - id: mode
    type: choice
    text: {fr: "Comment ?", en: "How?"}
    minimum: 2
    choices:
      - {id: Car, label: {fr: Voiture, en: Car}}
      - {id: bus, label: {fr: Bus, en: Bus}}
  - id: why
    type: free_text
    text: {fr: "Pourquoi ?", en: "Why?"}
    when: {mode: {eq: train}}
outro: {fr: Merci, en: Thanks}
"""
    with pytest.raises(FlowValidationError) as raised:
        parse_flow(text, "demo.yml")
    messages = [f"{p.line}: {p.message}" for p in raised.value.problems]
    assert messages == [
        "2: the flow id 'Demo' must be lowercase letters, digits, _ or -",
        "3: title has no translation for en",
        "10: unknown key 'minimum' in a choice question",
        "12: the choice id 'Car' is not snake_case",
        "17: the text 'train' is not a choice of 'mode'",
    ]
    assert "demo.yml:2: the flow id" in str(raised.value)


def test_an_invisible_character_in_a_key_is_named_and_the_key_still_read():
    # What a word processor types in French before ':', and a zero-width space
    # pasted from a web page; each key is still found, so nothing else is reported.
    text = (
        "id: demo\ntitle: Démo\nlanguages: [fr]\nconsent: Acceptez-vous ?\nquestions:\n"
        "  - id: mode\n    type\u00a0: choice\n    text\u202f: Comment ?\n"
        "    choi\u200bces:\n      - {id: a, label: A}\n      - {id: b, label: B}\n"
        "outro: Merci !\n"
    )
    with pytest.raises(FlowValidationError) as raised:
        parse_flow(text, "demo.yml")
    assert str(raised.value).split("\n") == [
        "demo.yml:6 (question mode): a choice question needs the key 'choices'. Hint: add"
        " 'choices:' (at least two choices)",
        "demo.yml:7: there is a non-breaking space before ':'. Hint: delete it (or type a"
        " normal space)",
        "demo.yml:8: there is a narrow non-breaking space before ':'. Hint: delete it (or type"
        " a normal space)",
        "demo.yml:9 (question mode): unknown key 'choi[zero-width space]ces' in a choice"
        " question. Hint: did you mean 'choices'?",
    ]


def test_a_broken_question_does_not_hide_the_others():
    text = """
id: demo
title: Démo
languages: [fr]
consent: Acceptez-vous ?
questions:
  - id: one
    type: number
    text: Combien ?
    min: beaucoup
  - id: two
    type: number
    text: Combien ?
    min: 10
    max: 1
outro: Merci
"""
    with pytest.raises(FlowValidationError) as raised:
        parse_flow(text, "demo.yml")
    assert [(p.question_id, p.line) for p in raised.value.problems] == [("one", 10), ("two", 14)]


# -- robustness: whatever an organizer's editor produces, a FlowError or a Flow ----

EXAMPLE_LINES = [
    path.read_text(encoding="utf-8").split("\n")
    for path in sorted((Path(__file__).resolve().parents[2] / "flows" / "examples").glob("*.yml"))
]
VALUES = ["", "x", "1", "-1", "true", "null", "[]", "{}", "[a, b]", "{a: b}", "2026-02-30", "yes",
          "'", '"', ":", "- ", "&a x", "*a", "!!str", "{eq: 3}", "answered", "{lt: x}", "{all: []}",
          "{not: 1}", "0.5", "99999999999999999999", "~", "\t", "[[[]]]", "{fr: x}"]  # fmt: skip


@st.composite
def edited_examples(draw: st.DrawFn) -> str:
    lines = list(draw(st.sampled_from(EXAMPLE_LINES)))
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "value", "duplicate", "insert"]))
        if action == "delete":
            del lines[index]
        elif action == "value" and ":" in lines[index]:
            key = lines[index].split(":")[0]
            lines[index] = f"{key}: {draw(st.sampled_from(VALUES))}"
        elif action == "duplicate":
            lines.insert(index, lines[draw(st.integers(0, len(lines) - 1))])
        else:
            at = draw(st.integers(0, len(lines[index])))
            value = draw(st.sampled_from(VALUES))
            lines[index] = lines[index][:at] + value + lines[index][at:]
    return "\n".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited_examples())
def test_an_edited_flow_gives_a_flow_or_located_problems_never_a_crash(text):
    problems: tuple = ()
    try:
        flow = parse_flow(text, "edited.yml")
    except FlowValidationError as error:
        flow, problems = None, error.problems
    assert (flow is None) == bool(problems)
    for problem in problems:
        assert problem.file == "edited.yml"
        assert problem.message
        assert problem.line is None or 1 <= problem.line <= text.count("\n") + 2


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_gives_a_flow_or_problems_never_a_crash(text):
    with pytest.raises(FlowValidationError):
        parse_flow(text, "random.yml")


@pytest.mark.parametrize(
    ("questions", "expected"),
    [
        ("", "the flow needs the key 'questions'"),
        ("questions: []\n", "the flow has no questions"),
        ("questions:\n", "the flow has no questions"),
        ("questions: all of them\n", "'questions' must be a list, got the text 'all of them'"),
    ],
)
def test_a_flow_without_questions_is_reported_once(questions, expected):
    text = f"id: demo\ntitle: Démo\nlanguages: [fr]\nconsent: OK ?\n{questions}outro: Merci\n"
    with pytest.raises(FlowValidationError) as raised:
        parse_flow(text, "demo.yml")
    assert [p.message for p in raised.value.problems] == [expected]
