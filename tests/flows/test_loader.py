"""flows.loader: YAML text or file -> an immutable Flow, or a FlowError that says why."""

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from flows.conditions import AllOf, Answered, AnyOf, Compare, Not, Skipped
from flows.errors import FlowValidationError
from flows.loader import MAX_FILE_BYTES, load_flow, parse_flow

EXAMPLES = Path(__file__).resolve().parents[2] / "flows" / "examples"

MINIMAL = """\
id: demo
title: Démo
languages: [fr]
consent: Acceptez-vous ?
questions:
  - id: q1
    type: yes_no
    text: Êtes-vous d'accord ?
outro: Merci !
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(FlowValidationError) as raised:
        parse_flow(text, "test.yml")
    return [str(problem) for problem in raised.value.problems]


def only_problem(path: Path) -> str:
    with pytest.raises(FlowValidationError) as raised:
        load_flow(path)
    (problem,) = raised.value.problems
    return str(problem)


def test_a_minimal_flow_loads():
    flow = parse_flow(MINIMAL, "demo.yml")
    assert flow.id == "demo"
    assert flow.source == "demo.yml"
    assert flow.languages == ("fr",)
    assert flow.title.get("fr") == "Démo"
    assert flow.consent.get("fr") == "Acceptez-vous ?"
    assert flow.intro is None
    assert (flow.opens, flow.closes) == (None, None)
    (question,) = flow.questions
    assert (question.id, question.type, question.line, question.optional) == (
        "q1",
        "yes_no",
        6,
        False,
    )


def test_the_flow_is_immutable():
    flow = parse_flow(MINIMAL, "demo.yml")
    with pytest.raises(dataclasses.FrozenInstanceError):
        flow.id = "other"  # type: ignore[misc]
    assert isinstance(flow.questions, tuple)


def test_a_plain_text_is_the_first_language_and_maps_follow_the_declared_order():
    flow = parse_flow(
        MINIMAL.replace("languages: [fr]", "languages: [fr, en]")
        .replace("title: Démo", "title: {en: Demo, fr: Démo}")
        .replace("consent: Acceptez-vous ?", 'consent: {fr: "Acceptez-vous ?", en: "Agree?"}')
        .replace("text: Êtes-vous d'accord ?", "text: {en: Agree?, fr: D'accord ?}")
        .replace("outro: Merci !", "outro: {fr: Merci, en: Thanks}"),
        "demo.yml",
    )
    assert flow.title.languages() == ("fr", "en")  # the first language first, whatever the order
    assert flow.title.get("en") == "Demo"
    assert flow.questions[0].text.get("fr") == "D'accord ?"
    monolingual = parse_flow(MINIMAL, "demo.yml")
    assert monolingual.title.texts == (("fr", "Démo"),)


def test_every_question_type_and_field_reaches_the_model():
    flow = load_flow(EXAMPLES / "lycees.yml")
    assert {q.type for q in flow.questions} == {
        "yes_no", "choice", "multi_choice", "ranking", "number", "scale",
        "free_text", "postal_code", "commune", "date",
    }  # fmt: skip
    assert (flow.opens, flow.closes) == (dt.date(2026, 9, 1), dt.date(2027, 6, 30))
    role = flow.question("role")
    assert [c.id for c in role.choices] == ["student", "parent", "staff", "other"]
    assert "prof" in role.choices[2].synonyms_in("fr")
    assert role.help is not None
    assert role.help.get("en").startswith("Pick")
    travel = flow.question("travel_minutes")
    assert (travel.min, travel.max) == (0, 240)
    assert travel.retry is not None
    assert "240" in travel.retry.get("fr")
    modes = flow.question("travel_modes")
    assert (modes.min_selections, modes.max_selections) == (1, 3)
    buildings = flow.question("buildings")
    assert buildings.min_label is not None
    assert buildings.min_label.get("en") == "very poor condition"
    assert flow.question("renovation").max_length == 1000
    assert flow.question("renovation").optional
    works = flow.question("works_order")
    assert works.ranks == 3
    assert [c.id for c in works.choices][:2] == ["roofs", "heating"]
    date = flow.question("meeting_date")
    assert (date.min_date, date.max_date) == (dt.date(2026, 9, 1), dt.date(2027, 6, 30))


def test_conditions_become_condition_values_checked_against_their_question():
    flow = load_flow(EXAMPLES / "lycees.yml")
    assert flow.question("home_commune").when == Skipped("postal_code")
    assert flow.question("school_commune").when == Compare(
        "role", "in", ("student", "parent", "staff")
    )
    assert flow.question("travel_modes").when == Compare("travel_minutes", "gt", 0)
    assert flow.question("renovation").when == AllOf(
        (Compare("buildings", "lte", 2), Not(Compare("role", "eq", "other")))
    )
    assert flow.question("local_food").when == AnyOf(
        (Compare("priorities", "eq", "canteen"), Compare("role", "eq", "parent"))
    )
    assert flow.question("meeting_date").when == Compare("meeting", "eq", True)  # `yes`
    assert flow.question("buildings").when is None


def test_condition_values_are_normalised_for_the_engine():
    text = """\
id: demo
title: Démo
languages: [fr]
consent: Acceptez-vous ?
questions:
  - {id: cp, type: postal_code, text: Code postal}
  - {id: day, type: date, text: Quand, min: 2026-01-01, optional: true}
  - {id: ok, type: yes_no, text: "D'accord ?"}
  - {id: town, type: commune, text: Commune}
  - id: last
    type: free_text
    text: Enfin
    when:
      cp: {in: [45000, "01000", 01500]}
      day: {gte: 2026-03-01}
      ok: {ne: non}
      town: {in: [45234, 2A004]}
      any: [{cp: answered}, {not: {day: skipped}}]
outro: Merci !
"""
    flow = parse_flow(text, "demo.yml")
    assert flow.question("last").when == AllOf(
        (
            Compare("cp", "in", ("45000", "01000", "01500")),  # postal codes stay 5 digits
            Compare("day", "gte", "2026-03-01"),  # dates compare as ISO texts
            Compare("ok", "ne", False),
            Compare("town", "in", ("45234", "2A004")),  # INSEE codes, as nlu answers
            AnyOf((Answered("cp"), Not(Skipped("day")))),
        )
    )


def test_yaml_1_1_surprises_do_not_reach_organizers():
    text = """\
id: demo
title: {fr: Démo, no: Demo}
languages: [fr, no]
consent: {fr: "Acceptez-vous ?", no: Godtar du?}
questions:
  - id: q1
    type: choice
    text: {fr: Choix, no: Valg}
    choices:
      - {id: yes_please, label: {fr: Oui, no: Ja}, synonyms: {no: [yes, on]}}
      - {id: no_thanks, label: {fr: Non, no: Nei}, synonyms: {fr: [no, off, "007"]}}
outro: {fr: Merci, no: Takk}
"""
    flow = parse_flow(text, "demo.yml")
    assert flow.languages == ("fr", "no")  # Norway is not False
    choices = flow.questions[0].choices
    assert choices[0].synonyms_in("no") == ("yes", "on")
    assert choices[1].synonyms_in("fr") == ("no", "off", "007")


def test_a_question_mark_inside_braces_is_part_of_the_text():
    text = MINIMAL.replace("languages: [fr]", "languages: [fr, en]").replace(
        "consent: Acceptez-vous ?", "consent: {fr: Acceptez-vous ?, en: Do you agree?}"
    )
    text = text.replace("title: Démo", "title: {fr: Démo, en: Demo}")
    text = text.replace("text: Êtes-vous d'accord ?", "text: {fr: D'accord ?, en: Agree?}")
    text = text.replace("outro: Merci !", "outro: {fr: Merci !, en: Thanks!}")
    flow = parse_flow(text, "demo.yml")
    assert flow.consent.texts == (("fr", "Acceptez-vous ?"), ("en", "Do you agree?"))
    assert flow.questions[0].text.get("en") == "Agree?"


def test_numbers_are_accepted_where_texts_are_expected():
    flow = parse_flow(MINIMAL.replace("title: Démo", "title: 2030"), "demo.yml")
    assert flow.title.get("fr") == "2030"


def test_optional_accepts_yes_and_no():
    text = MINIMAL.replace("    type: yes_no\n", "    type: yes_no\n    optional: yes\n")
    assert parse_flow(text, "demo.yml").questions[0].optional is True


def test_question_lines_point_at_the_question():
    flow = load_flow(EXAMPLES / "mobilite.yml")
    lines = (EXAMPLES / "mobilite.yml").read_text(encoding="utf-8").split("\n")
    for question in flow.questions:
        assert lines[question.line - 1].strip() == f"- id: {question.id}"


# -- files that are not flow files ---------------------------------------------


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yml"
    assert only_problem(path) == f"{path}: no such file. Hint: check the path and the file name"


def test_directory(tmp_path):
    assert (
        only_problem(tmp_path)
        == f"{tmp_path}: this is a directory, not a flow file. Hint: give a .yml file"
    )


def test_binary_file(tmp_path):
    path = tmp_path / "image.yml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "this is a binary file, not a flow file" in only_problem(path)


def test_not_utf8_says_which_line(tmp_path):
    path = tmp_path / "latin1.yml"
    path.write_bytes(MINIMAL.replace("Démo", "D\xe9mo").encode("latin-1"))
    assert only_problem(path).startswith(
        f"{path}:2: the file is not UTF-8 text. Hint: save it as UTF-8"
    )


def test_utf16_is_named(tmp_path):
    path = tmp_path / "utf16.yml"
    path.write_bytes(MINIMAL.encode("utf-16"))
    assert only_problem(path) == (
        f"{path}: the file is UTF-16 text, not UTF-8. Hint: save it as UTF-8"
        " (in most editors: Save with encoding > UTF-8)"
    )


def test_a_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.yml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert load_flow(path).id == "demo"


def test_a_huge_file_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "huge.yml"
    with path.open("w", encoding="utf-8") as file:
        file.write(MINIMAL)
        file.write("# padding\n" * 1_000_000)  # 10 MB
    message = only_problem(path)
    assert message == (
        f"{path}: the file is larger than 1 MB. Hint: a flow file is at most"
        f" {MAX_FILE_BYTES // 1000} kB; is this the right file?"
    )


def test_huge_text_is_refused_by_parse_flow_too():
    assert "the flow is too large" in problems_of(MINIMAL + "#" * (MAX_FILE_BYTES + 1))[0]


def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.yml"
    path.write_text(MINIMAL, encoding="utf-8")
    path.chmod(0)
    try:
        if path.stat().st_uid == 0 and __import__("os").geteuid() == 0:
            pytest.skip("root reads any file")
        assert (
            only_problem(path) == f"{path}: permission denied. Hint: check the file's permissions"
        )
    finally:
        path.chmod(0o600)
