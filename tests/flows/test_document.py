"""The flow reader: plain values and their lines, YAML 1.2 as organizers expect it."""

import datetime as dt

import pytest

from flows.document import MAX_DEPTH, parse_document
from flows.errors import FlowValidationError


def test_values_are_plain_and_texts_stay_texts():
    document = parse_document(
        "consent: {fr: Acceptez-vous ?, en: Do you agree?}\n"
        "choices: [yes, no, on, off]\n"
        "postal_code: 01000\n"
        "count: 1_000\n"
        "ratio: 0.5\n"
        "flag: true\n"
        "opens: 2026-09-01\n"
        "nothing: ~\n",
        "demo.yml",
    )
    assert document.data == {
        "consent": {"fr": "Acceptez-vous ?", "en": "Do you agree?"},
        "choices": ["yes", "no", "on", "off"],
        "postal_code": "01000",
        "count": 1000,
        "ratio": 0.5,
        "flag": True,
        "opens": dt.date(2026, 9, 1),
        "nothing": None,
    }
    assert document.problems == ()


def test_every_key_and_item_has_its_line():
    document = parse_document("id: demo\nquestions:\n  - id: a\n  - id: b\n", "demo.yml")
    assert document.line_of(("questions", 1, "id")) == 4
    assert document.line_of(("questions", 0)) == 3
    assert document.line_of(("questions", 1, "nowhere")) == 4


def test_a_duplicated_key_and_a_tag_are_problems_with_their_lines():
    document = parse_document("id: demo\nid: other\ntitle: !!binary aGk=\n", "demo.yml")
    assert [str(problem) for problem in document.problems] == [
        "demo.yml:2: the key 'id' appears twice here (first on line 1). Hint: keep one of them",
        "demo.yml:3: the YAML tag !!binary is not allowed in a flow. Hint: remove it",
    ]
    assert document.data == {"id": "demo", "title": "aGk="}


def test_nesting_deeper_than_the_limit_is_refused_at_its_line():
    with pytest.raises(FlowValidationError) as raised:
        parse_document("id: demo\ntitle: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5), "x.yml")
    assert str(raised.value).startswith(f"x.yml:2: the YAML nests more than {MAX_DEPTH} levels")
