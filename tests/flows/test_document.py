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


def _refused(text: str) -> tuple[int | None, str]:
    with pytest.raises(FlowValidationError) as refused:
        parse_document(text, "f.yml")
    (problem,) = refused.value.problems
    return problem.line, str(problem).removeprefix(f"f.yml:{problem.line}: ")


OUTRO = "questions:\n  - id: owner\n    type: yes_no\noutro:\n"


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            "*Merci* pour votre contribution !",
            "this text starts with '*', and a text starting with { [ & * ! | > ' \" % @ must"
            ' be in quotes. Hint: put the whole text in quotes: fr: "*Merci* pour votre'
            ' contribution !"',
        ),
        (
            "@Region_CVL vous remercie !",
            "this text starts with '@', and a text starting with { [ & * ! | > ' \" % @ must"
            ' be in quotes. Hint: put the whole text in quotes: fr: "@Region_CVL vous'
            ' remercie !"',
        ),
        (
            "& merci pour votre contribution !",
            "this text starts with '&', and a text starting with { [ & * ! | > ' \" % @ must"
            ' be in quotes. Hint: put the whole text in quotes: fr: "& merci pour votre'
            ' contribution !"',
        ),
        (
            '"Merci" pour votre contribution !',
            "this text starts with a quote, and a text starting with { [ & * ! | > ' \" % @"
            ' must be in quotes. Hint: put the whole text in quotes: fr: \'"Merci" pour'
            " votre contribution !'",
        ),
        (
            "Merci : votre contribution compte !",
            "this text contains ': ', so it must be in quotes. Hint: put the whole text in"
            ' quotes: fr: "Merci : votre contribution compte !"',
        ),
        (
            "Merci\u00a0: votre contribution compte !",  # as Word types it in French
            "this text contains ': ', so it must be in quotes. Hint: put the whole text in"
            ' quotes: fr: "Merci\u00a0: votre contribution compte !"',
        ),
    ],
)
def test_a_text_yaml_cannot_read_unquoted_is_told_to_be_quoted_on_its_line(written, message):
    assert _refused(f"{OUTRO}  fr: {written}\n  en: Thanks\n") == (5, message)


def test_a_colon_in_a_text_inside_braces_names_that_text():
    text = "text: {fr: Attention : combien dépensez-vous ?, en: How much do you spend?}\n"
    assert _refused(text) == (
        1,
        "this text contains ': ', so it must be in quotes. Hint: put the whole text in"
        ' quotes: fr: "Attention : combien dépensez-vous ?"',
    )


def test_a_quote_never_closed_is_named_on_the_line_it_opens():
    assert _refused(f'{OUTRO}  fr: "Merci pour votre contribution !\n  en: "Thanks"\n') == (
        5,
        'the quote " that opens this text is never closed. Hint: end the text with ":'
        ' fr: "Merci pour votre contribution !"',
    )


def test_a_real_alias_without_its_anchor_keeps_the_alias_hint():
    line, message = _refused("title: *nom\n")
    assert (line, message) == (
        1,
        "malformed YAML: found undefined alias 'nom'. Hint: an alias *name needs an anchor"
        " &name earlier in the file",
    )


@pytest.mark.parametrize(
    ("indented", "message"),
    [
        (
            "      type: yes_no",
            "this line is indented more than the line above it (6 spaces instead of 4)."
            " Hint: line its keys up: 'type' under 'id'",
        ),
        (
            "   type: yes_no",
            "this line is indented less than the line above it (3 spaces instead of 4)."
            " Hint: line its keys up: 'type' under 'id'",
        ),
        (
            "\u00a0   type: yes_no",
            "this line starts with a non-breaking space, which does not count as"
            " indentation. Hint: delete it and indent with ordinary spaces",
        ),
        (
            "\ttype: yes_no",
            "this line is indented with a tab. Hint: indent with spaces, never tabs",
        ),
    ],
)
def test_a_key_not_lined_up_is_told_how_its_indentation_differs(indented, message):
    text = f"questions:\n  - id: owner\n{indented}\n    text: Propriétaire ?\n"
    assert _refused(text) == (3, message)


def test_a_brace_left_open_over_two_lines_is_closed_at_the_end_of_the_second():
    text = (
        "questions:\n  - id: mode\n    choices:\n"
        "      - {id: car, label: {fr: Voiture,\n          en: Car}\n"
        "      - {id: train, label: Train}\n"
    )
    assert _refused(text) == (
        5,
        "the '{' on line 4 is never closed. Hint: add '}' at the end of the line: en: Car}}",
    )


def test_an_apostrophe_in_single_quotes_around_double_quotes_is_written_twice():
    assert _refused(f"{OUTRO}  fr: 'L'avis des \"parents\" ?'\n  en: Thanks\n") == (
        5,
        "the apostrophe in L'avis ends the text that ' opens. Hint: write the apostrophe"
        " twice: fr: 'L''avis des \"parents\" ?'",
    )
