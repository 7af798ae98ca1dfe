"""Reading a flow file's YAML (flows/document.py): plain values, the line of every
key and item, and the YAML surprises an organizer must not meet."""

import datetime as dt

import pytest

from flows.document import MAX_DEPTH, MAX_VALUES, parse_document
from flows.errors import FlowValidationError


def test_every_key_and_item_has_its_line():
    document = parse_document(
        "id: demo\nquestions:\n  - id: mode\n    type: choice\n  - id: why\n", "f.yml"
    )
    assert document.data == {
        "id": "demo",
        "questions": [{"id": "mode", "type": "choice"}, {"id": "why"}],
    }
    assert document.line_of(("id",)) == 1
    assert document.line_of(("questions", 0, "type")) == 4
    assert document.line_of(("questions", 1)) == 5
    # A path with no line of its own: the nearest enclosing key's.
    assert document.line_of(("questions", 1, "text")) == 5
    assert document.problems == ()


def test_yes_no_on_off_stay_words_and_only_true_false_are_booleans():
    data = parse_document("a: yes\nb: No\nc: on\nd: off\ne: true\nf: False\n", "f.yml").data
    assert data == {"a": "yes", "b": "No", "c": "on", "d": "off", "e": True, "f": False}


def test_numbers_with_a_leading_zero_stay_texts():
    data = parse_document("cp: 01000\nn: 45000\nm: 1_000\n", "f.yml").data
    assert data == {"cp": "01000", "n": 45000, "m": 1000}


def test_a_question_mark_inside_brackets_is_part_of_the_text():
    data = parse_document("text: {fr: Acceptez-vous ?, en: Do you agree?}\n", "f.yml").data
    assert data == {"text": {"fr": "Acceptez-vous ?", "en": "Do you agree?"}}


def test_dates_are_dates_and_an_impossible_date_is_a_problem_on_its_line():
    document = parse_document("opens: 2026-06-01\ncloses: 2026-02-30\n", "f.yml")
    assert document.data["opens"] == dt.date(2026, 6, 1)
    assert [(p.line, p.message) for p in document.problems] == [
        (2, "'2026-02-30' is not a real date")
    ]


def test_a_duplicated_key_is_reported_and_the_first_kept():
    document = parse_document("id: first\ntitle: T\nid: second\n", "f.yml")
    assert document.data == {"id": "first", "title": "T"}
    assert [(p.line, p.message, p.hint) for p in document.problems] == [
        (3, "the key 'id' appears twice here (first on line 1)", "keep one of them")
    ]


def test_tags_are_refused():
    document = parse_document("id: !!python/name:os.system x\nn: !!str 3\n", "f.yml")
    messages = [p.message for p in document.problems]
    assert messages == ["the YAML tag !!python/name:os.system is not allowed in a flow"]
    assert document.data["n"] == "3"


def test_a_yaml_bomb_is_refused_with_a_clear_problem():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 8):
        refs = ", ".join([f"*{chr(96 + level)}"] * 10)
        lines.append(f"{chr(97 + level)}: &{chr(97 + level)} [{refs}]")
    with pytest.raises(FlowValidationError) as refused:
        parse_document("\n".join(lines) + "\n", "bomb.yml")
    (problem,) = refused.value.problems
    assert (problem.file, problem.line) == ("bomb.yml", 6)  # where the count passes the cap
    assert problem.message == (
        f"the anchors and aliases (&name, *name) expand to more than {MAX_VALUES} values"
    )


def test_nesting_deeper_than_the_limit_is_refused_with_its_line():
    text = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    with pytest.raises(FlowValidationError) as refused:
        parse_document(text, "deep.yml")
    (problem,) = refused.value.problems
    assert (problem.file, problem.line) == ("deep.yml", 1)
    assert problem.message == f"the YAML nests more than {MAX_DEPTH} levels deep"


def test_an_empty_file_and_broken_yaml_are_refused_with_a_line():
    with pytest.raises(FlowValidationError) as empty:
        parse_document("# nothing here\n", "empty.yml")
    assert [(p.line, p.message) for p in empty.value.problems] == [(1, "the file is empty")]
    with pytest.raises(FlowValidationError) as broken:
        parse_document("id: x\nquestions: [\n", "broken.yml")
    (problem,) = broken.value.problems
    assert problem.file == "broken.yml"
    assert problem.line is not None


def test_numbers_nulls_and_underscores_are_read_as_yaml_1_2_writes_them():
    document = parse_document(
        "count: 1_000\nratio: 0.5\nbig: 1e3\nnothing: ~\nempty:\n", "demo.yml"
    )
    assert document.data == {
        "count": 1000,
        "ratio": 0.5,
        "big": 1000.0,
        "nothing": None,
        "empty": None,
    }
    assert document.problems == ()
