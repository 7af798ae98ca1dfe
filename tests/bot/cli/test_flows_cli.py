"""`consultbot flows validate|show|schema`, as an organizer runs them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from bot.cli import main
from flows.document import parse_document

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "flows" / "examples"
INVALID = ROOT / "tests" / "flows" / "invalid"


def consultbot(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command in a fresh process, as a person types it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# -- validate --------------------------------------------------------------------


def test_validate_accepts_the_bundled_flows(capsys):
    paths = sorted(str(p) for p in EXAMPLES.glob("*.yml"))
    code, out, err = run(capsys, "flows", "validate", *paths)
    assert code == 0
    assert err == ""
    assert (
        f"{EXAMPLES / 'mobilite.yml'}: ok: 'mobilite', 4 questions, in fr, en" in out.splitlines()
    )
    oks = [line for line in out.splitlines() if not line.startswith("  warning: ")]
    assert len(oks) == len(paths)


def test_validate_lists_warnings_and_strict_makes_them_problems(capsys, tmp_path):
    from tests.flows.test_synonym_checks import FLOW

    path = tmp_path / "mobilite.yml"
    path.write_text(FLOW, encoding="utf-8")
    code, out, err = run(capsys, "flows", "validate", str(path))
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"{path}: ok: 'mobilite', 1 questions, in fr"
    assert (
        f"  warning: {path}:12 (question mode): the synonym 'car' (fr) of 'coach' is a common"
        " word: it will be read in sentences that do not mean this choice. Hint: remove it, or"
        " use a longer phrase"
    ) in out.splitlines()
    code, out, err = run(capsys, "flows", "validate", "--strict", str(path))
    assert (code, out) == (1, "")
    assert err.splitlines()[0] == f"{path}: 3 warnings (--strict)"
    assert f"  {path}:12 (question mode): the synonym 'car' (fr)" in err


def test_show_tells_a_question_skipped_after_a_comment(capsys, tmp_path):
    from tests.flows.test_engine_comments import FLOW

    path = tmp_path / "democratie.yml"
    path.write_text(FLOW, encoding="utf-8")
    code, out, _ = run(capsys, "flows", "show", str(path))
    assert code == 0
    assert "   Not asked if the answer to 1 [closer] came with a comment." in out.splitlines()


def test_validate_says_to_use_in_for_eq_with_a_list(capsys, tmp_path):
    from tests.flows.test_engine_ranking import FLOW

    path = tmp_path / "rang.yml"
    path.write_text(FLOW.replace("{first: canteen}", "{eq: [canteen, digital]}"), encoding="utf-8")
    code, _, err = run(capsys, "flows", "validate", str(path))
    assert code == 1
    assert (
        "'eq' compares with one value, got a list. Hint: to accept any of several values, use"
        " in: write in: [canteen, digital]"
    ) in err


def first_problem(capsys, path: Path) -> str:
    """The first problem `flows validate` lists for the file, which it refuses."""
    code, out, err = run(capsys, "flows", "validate", str(path))
    assert (code, out) == (1, "")
    return err.splitlines()[1]


def test_choices_written_as_plain_texts_are_shown_as_a_choice_is_written(capsys, tmp_path):
    path = broken_example(
        tmp_path,
        CAR + "fr: [auto, bagnole, covoiturage], en: [driving, carpool]}\n",
        "      - Voiture, covoiturage\n",
    )
    assert first_problem(capsys, path) == (
        f"  {path}:21 (question mode): choice 1 is only a text, and a choice needs an id and"
        ' a label. Hint: write it - {id: voiture_covoiturage, label: {fr: "Voiture,'
        ' covoiturage", en: ...}}'
    )


JUMP = (
    "there is no '{key}': questions are asked in their order, and one with a condition"
    " (when:) only if it holds. Hint: remove '{key}:'; to ask a question only after some"
    " answers, give it a condition, e.g. when: {{satisfaction: {{lte: 2}}}}"
)
ELSEWHERE = (
    "unknown key '{key}' in a postal_code question. Hint: a condition is written"
    " when: {{satisfaction: {{lte: 2}}}}"
)


@pytest.mark.parametrize(
    ("key", "expected"),
    [("next", JUMP), ("goto", JUMP), ("if", ELSEWHERE), ("condition", ELSEWHERE)],
)
def test_branching_written_as_in_a_form_builder_is_told_how_conditions_do_it(
    capsys, tmp_path, key, expected
):
    path = broken_example(
        tmp_path, "    type: postal_code\n", f"    type: postal_code\n    {key}: proposal\n"
    )
    assert first_problem(capsys, path) == (
        f"  {path}:47 (question postal_code): " + expected.format(key=key)
    )


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("satisfaction <= 2", "write when: {satisfaction: {lte: 2}}"),
        ("mode = car", "write when: {mode: {eq: car}}"),
        ("postal_code answered", "write when: {postal_code: answered}"),
        (
            "si pas satisfait",
            "write the earlier question's id and what its answer must be, e.g."
            " when: {satisfaction: {lte: 2}}",
        ),
    ],
)
def test_a_condition_written_as_a_sentence_is_shown_as_a_condition_is_written(
    capsys, tmp_path, written, hint
):
    path = broken_example(
        tmp_path, "    type: free_text\n", f"    type: free_text\n    when: {written}\n"
    )
    assert first_problem(capsys, path) == (
        f"  {path}:52 (question proposal): 'when' must be a mapping, got the text"
        f" '{written}'. Hint: {hint}"
    )


@pytest.mark.parametrize(
    ("written", "mistaken", "expected"),
    [
        (
            "{fr: Voiture, en: Car}",
            "{fr Voiture, en: Car}",
            "22 (question mode): there is no ':' after 'fr'. Hint: write fr: Voiture",
        ),
        (
            "languages: [fr, en]",
            "languages: fr, en",
            "7: 'languages' must be a list, got the text 'fr, en'. Hint: write it in"
            " brackets: languages: [fr, en]",
        ),
    ],
)
def test_a_text_or_a_list_written_without_its_signs_is_shown_with_them(
    capsys, tmp_path, written, mistaken, expected
):
    path = broken_example(tmp_path, written, mistaken)
    assert first_problem(capsys, path) == f"  {path}:{expected}"


def test_validate_notes_a_flow_language_the_text_catalogue_lacks(capsys, tmp_path):
    flow = tmp_path / "demo.yml"
    flow.write_text(
        "id: demo\n"
        "title: {fr: Démo, de: Demo}\n"
        "languages: [fr, de]\n"
        "consent: {fr: Acceptez-vous ?, de: Einverstanden?}\n"
        "outro: {fr: Merci !, de: Danke!}\n"
        "questions:\n"
        "  - id: ok\n"
        "    type: yes_no\n"
        "    text: {fr: D'accord ?, de: Einverstanden?}\n"
    )
    code, out, _ = run(capsys, "flows", "validate", str(flow))
    assert code == 0
    assert out.splitlines()[1] == (
        f"{flow}: note: the text catalogue has no 'de' (flows/texts/de.yml):"
        " the bot's own texts will be in en for it"
    )


def test_a_number_too_long_to_read_is_a_problem_and_the_other_files_are_checked(capsys):
    paths = [INVALID / "number_too_long.yml", EXAMPLES / "mobilite.yml"]
    code, out, err = run(capsys, "flows", "validate", *map(str, paths))
    assert code == 1
    assert "number_too_long.yml:9: the number 999999999999… (5000 digits) is too long" in out + err
    assert "mobilite.yml: ok" in out


def test_validate_lists_every_problem_of_every_file_and_exits_1(capsys):
    broken = [INVALID / "when_bad_shape.yml", INVALID / "selections_upside_down.yml"]
    code, out, err = run(
        capsys, "flows", "validate", str(EXAMPLES / "mobilite.yml"), *map(str, broken)
    )
    assert code == 1
    assert "mobilite.yml: ok" in out
    lines = err.splitlines()
    assert f"{broken[0]}: 2 problems" in lines
    assert f"{broken[1]}: 2 problems" in lines
    assert (
        f"  {broken[0]}:13 (question school): 'any' takes a list of conditions, got a mapping."
        " Hint: write any: [{q1: answered}, {q2: {eq: 3}}]"
    ) in lines
    assert any(
        line.startswith(f"  {broken[0]}:17 (question work): the condition on 'age'")
        for line in lines
    )
    assert lines[-1] == "2 of 3 files have problems"


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


BAD_INPUTS = {
    "missing": (lambda tmp: tmp / "missing.yml", "{path}: no such file"),
    "directory": (lambda tmp: tmp, "{path}: this is a directory, not a flow file"),
    "binary": (
        lambda tmp: _write(tmp / "photo.yml", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
        "{path}: this is a binary file",
    ),
    "not-utf8": (
        lambda tmp: _write(tmp / "latin1.yml", "id: démo\n".encode("latin-1")),
        "{path}:1: the file is not UTF-8 text",
    ),
    "10MB": (
        lambda tmp: _write(tmp / "huge.yml", b"id: demo\n" + b"# padding\n" * 1_000_000),
        "{path}: the file is larger than 1 MB",
    ),
    "yaml-bomb": (
        lambda tmp: INVALID / "alias_bomb.yml",
        "{path}:8: the anchors and aliases (&name, *name) expand to more than",
    ),
    "alias-loop": (
        lambda tmp: INVALID / "alias_loop.yml",
        "{path}:3: the YAML nests more than 40 levels deep",
    ),
    "malformed": (
        lambda tmp: INVALID / "malformed_yaml.yml",
        '{path}:6: the quote " that opens this text is never closed',
    ),
    "wrong-type": (
        lambda tmp: INVALID / "wrong_type_number.yml",
        "{path}:9 (question age): 'min' must be a whole number",
    ),
    "unknown-key": (
        lambda tmp: INVALID / "unknown_key.yml",
        "{path}:4: unknown key 'titel' in the flow. Hint: did you mean 'title'?",
    ),
}


@pytest.mark.parametrize(("make", "expected"), BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_gets_one_clear_message_with_its_location_and_no_traceback(
    tmp_path, make, expected
):
    path = make(tmp_path)
    result = consultbot("flows", "validate", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert expected.format(path=path) in result.stderr
    assert result.stdout == ""


def broken_example(folder: Path, written: str, mistaken: str) -> Path:
    """mobilite.yml as an organizer copies it, with `written` mistaken once."""
    text = (EXAMPLES / "mobilite.yml").read_text(encoding="utf-8")
    assert text.count(written) == 1
    path = folder / "ma_consultation.yml"
    path.write_text(text.replace(written, mistaken), encoding="utf-8")
    return path


# Two choices of mobilite.yml's first question, to indent them as a person may.
CAR = "      - id: car\n        label: {fr: Voiture, en: Car}\n        synonyms: {"
BIKE = "      - id: bike\n        label: {fr: Vélo, en: Bike}\n        synonyms: {"
# What a person breaking the example this way reads: the line, what is wrong,
# and the line written as it should be.
YAML_MISTAKES = {
    "text-without-colon": (
        ("    text:\n      fr: Comment", "    text\n      fr: Comment"),
        "17: there is no ':' after 'text'. Hint: add ':' after 'text': text:",
    ),
    "id-without-colon": (
        ("  - id: mode\n", "  - id mode\n"),
        "15: there is no ':' after 'id'. Hint: add ':' after 'id': - id: mode",
    ),
    "min-without-colon": (
        ("    min: 1\n", "    min 1\n"),
        "38: there is no ':' after 'min'. Hint: add ':' after 'min': min: 1",
    ),
    "brace-not-closed": (
        ("{fr: Voiture, en: Car}", "{fr: Voiture, en: Car"),
        "22: the '{' at column 16 is never closed. Hint: add '}' at the end of the line:"
        " label: {fr: Voiture, en: Car}",
    ),
    "brace-not-closed-around-braces-in-quotes": (
        ('"Mobility: {mode}"}', '"Mobility: {mode}"'),
        "60: the '{' at column 12 is never closed. Hint: add '}' at the end of the line:"
        ' title: {fr: "Mobilité : {mode}", en: "Mobility: {mode}"}',
    ),
    "bracket-not-closed": (
        ("languages: [fr, en]", "languages: [fr, en"),
        "7: the '[' at column 12 is never closed. Hint: add ']' at the end of the line:"
        " languages: [fr, en]",
    ),
    "bracket-closed-by-a-brace": (
        ("{fr: [TER, RER]}", "{fr: [TER, RER}"),
        "26: the '[' at column 24 is never closed. Hint: add ']' before the '}':"
        " synonyms: {fr: [TER, RER]}",
    ),
    "second-document-marker": (
        ("# What `consultbot export", "---\n# What `consultbot export"),
        "56: this '---' line starts a second document, and a flow file holds one flow."
        " Hint: delete the line (another consultation goes in a file of its own)",
    ),
    "choice-indented-more-than-the-one-above": (
        (BIKE, BIKE.replace("\n  ", "\n    ").replace("  - id", "    - id", 1)),
        "30: this item is indented more than the one on line 27 (8 spaces instead of 6)."
        " Hint: line its '-' up under the '-' of line 27, and the lines under it with it",
    ),
    "choice-indented-less-than-the-one-above": (
        (BIKE, BIKE.replace("\n  ", "\n").replace("  - id", "- id", 1)),
        "30: this item is indented less than the one on line 27 (4 spaces instead of 6)."
        " Hint: line its '-' up under the '-' of line 27, and the lines under it with it",
    ),
    "first-choice-indented-more-than-the-next": (
        (CAR, CAR.replace("\n  ", "\n    ").replace("  - id", "    - id", 1)),
        "21: this item is indented more than the one on line 24 (8 spaces instead of 6)."
        " Hint: line its '-' up under the '-' of line 24, and the lines under it with it",
    ),
    "apostrophe-in-single-quotes": (
        (
            '"Merci pour votre contribution ! Elle sera lue par l\'équipe de la consultation."',
            "'Merci pour votre contribution ! Elle sera lue par l'équipe de la consultation.'",
        ),
        "62: the apostrophe in l'équipe ends the text that ' opens. Hint: put the text in"
        ' double quotes instead: fr: "Merci pour votre contribution ! Elle sera lue par'
        " l'équipe de la consultation.\"",
    ),
    "quote-not-closed-on-the-last-line": (
        ('will read it."', "will read it."),
        '63: the quote " that opens this text is never closed, so the rest of the file is'
        ' read as part of the text. Hint: end the text with ": en: "Thank you for your'
        ' contribution! The consultation team will read it."',
    ),
    "quote-not-closed-on-a-text-over-two-lines": (
        ('contribution! The consultation team will read it."', "contribution!\n    The end."),
        '63: the quote " that opens this text is never closed, so the rest of the file is'
        ' read as part of the text. Hint: end the text with " where it ends',
    ),
}


@pytest.mark.parametrize(("mistake", "expected"), YAML_MISTAKES.values(), ids=YAML_MISTAKES)
def test_a_yaml_mistake_is_named_on_its_line_with_the_line_as_it_should_be(
    tmp_path, mistake, expected
):
    path = broken_example(tmp_path, *mistake)
    result = consultbot("flows", "validate", str(path))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [f"{path}: 1 problem", f"  {path}:{expected}"]


# -- show ------------------------------------------------------------------------


def test_show_prints_the_questions_as_residents_see_them(capsys):
    code, out, err = run(capsys, "flows", "show", str(EXAMPLES / "mobilite.yml"))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Mobilité en Centre-Val de Loire  [mobilite]"
    assert "1. [mode] one choice" in lines
    assert "   fr: Comment vous déplacez-vous le plus souvent ?" in lines
    assert "   en: How do you usually travel?" in lines
    assert "     2) Train / Train  [train]  (also understood: TER, RER)" in lines
    assert "2. [satisfaction] a scale from 1 to 5" in lines
    assert "     1 = pas du tout satisfait / not satisfied at all" in lines
    assert "3. [postal_code] a postal code" in lines
    assert "4. [proposal] free text, at most 2000 characters" in lines
    assert lines[lines.index("End") + 1].startswith("  fr: Merci")


def test_show_explains_branching_and_optional_questions(capsys):
    code, out, _ = run(capsys, "flows", "show", str(EXAMPLES / "lycees.yml"), "--lang", "en")
    assert code == 0
    lines = out.splitlines()
    assert "Languages: fr, en. Open from 2026-09-01 to 2027-06-30." in lines
    assert "2. [postal_code] a postal code (optional)" in lines
    assert "   Asked only if the answer to 2 [postal_code] was skipped." in lines
    assert "   Asked only if the answer to 5 [travel_minutes] is more than 0." in lines
    assert (
        "   Asked only if the answer to 7 [buildings] is at most 2"
        " and the answer to 1 [role] is not “Another resident”."
    ) in lines
    assert (
        "   Asked only if the answer to 10 [priorities] includes “Local and organic canteen”"
        " or the answer to 1 [role] is “A parent”."
    ) in lines
    assert "   Asked only if the answer to 12 [meeting] is yes." in lines
    assert "6. [travel_modes] several choices, pick 1 to 3" in lines
    assert "13. [meeting_date] a date from 2026-09-01 to 2027-06-30 (optional)" in lines
    assert not any(line.lstrip().startswith("fr:") for line in lines)  # only the asked language


def test_show_tells_parts_other_exclusive_lengths_and_the_review(capsys):
    code, out, _ = run(capsys, "flows", "show", str(EXAMPLES / "lycees.yml"), "--lang", "en")
    assert code == 0
    assert "Part 2\n  en: " in out
    assert "[other_mode]  (the resident then says which)" in out
    assert "[no_priority]  (only on its own)" in out
    assert "free text, 10 to 1000 characters" in out
    assert "Then a numbered summary of the answers" in out


def test_show_tells_a_ranking_and_a_condition_on_its_first_choice(capsys, tmp_path):
    from tests.flows.test_engine_ranking import FLOW

    path = tmp_path / "rang.yml"
    path.write_text(FLOW, encoding="utf-8")
    code, out, _ = run(capsys, "flows", "show", str(path), "--lang", "en")
    assert code == 0
    lines = out.splitlines()
    assert "1. [priorities] a ranking of 3 of its 4 choices, the most important first" in lines
    assert "   Asked only if the answer to 1 [priorities] puts “Canteen” first." in lines
    assert "3. [order] a ranking of its 2 choices, the most important first" in lines


def test_show_refuses_a_language_the_flow_lacks(capsys):
    code, out, err = run(capsys, "flows", "show", str(EXAMPLES / "mobilite.yml"), "--lang", "de")
    assert code == 1
    assert out == ""
    assert err.strip().endswith("the flow has no language 'de' (it has fr, en)")


def test_show_of_a_broken_flow_lists_its_problems(capsys):
    code, out, err = run(capsys, "flows", "show", str(INVALID / "when_later_question.yml"))
    assert code == 1
    assert out == ""
    assert (
        "when_later_question.yml:9 (question why): the condition refers to question"
        " 'satisfaction', which comes later"
    ) in err


# -- schema ----------------------------------------------------------------------


def flow_as_json(path: Path) -> object:
    """A flow file as the editor's schema checker sees it (dates are strings)."""
    data = parse_document(path.read_text(encoding="utf-8"), str(path)).data
    return json.loads(json.dumps(data, default=str))


def test_schema_is_printed_and_the_shipped_copy_is_current(capsys):
    code, out, _ = run(capsys, "flows", "schema")
    assert code == 0
    assert out == (ROOT / "flows" / "schema.json").read_text(encoding="utf-8"), (
        "flows/schema.json is stale: run `consultbot flows schema -o flows/schema.json`"
    )
    schema = json.loads(out)
    jsonschema.Draft7Validator.check_schema(schema)
    assert "mobilite.yml" not in out  # a format description, not an example


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yml")), ids=lambda p: p.name)
def test_bundled_flows_satisfy_the_schema_and_point_at_it(path):
    schema = json.loads((ROOT / "flows" / "schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(flow_as_json(path), schema, cls=jsonschema.Draft7Validator)
    assert path.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../schema.json"
    )


@pytest.mark.parametrize(
    ("name", "complaint"),
    [
        ("unknown_key.yml", "'titel' was unexpected"),
        ("unknown_type.yml", "yesno"),
        ("key_for_other_type.yml", "choices"),
        ("when_not_a_mapping.yml", "'age < 18' is not valid under any of the given schemas"),
        ("choice_id_not_snake_case.yml", "'En Voiture' does not match"),
    ],
)
def test_the_schema_catches_mistakes_as_an_editor_would(name, complaint):
    schema = json.loads((ROOT / "flows" / "schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    errors = [
        str(error.message) + " " + " ".join(str(c.message) for c in error.context or [])
        for error in validator.iter_errors(flow_as_json(INVALID / name))
    ]
    assert any(complaint in error for error in errors), errors


def test_schema_describes_the_keys_for_editor_tooltips():
    schema = json.loads((ROOT / "flows" / "schema.json").read_text(encoding="utf-8"))
    assert "consent" in schema["required"]
    assert "nothing is stored before yes" in schema["properties"]["consent"]["description"]
    multi = schema["$defs"]["MultiChoiceQuestion"]["properties"]
    assert multi["max_selections"]["description"].startswith("The most choices")


def test_schema_output_to_a_file(tmp_path, capsys):
    target = tmp_path / "schema.json"
    code, out, _ = run(capsys, "flows", "schema", "--output", str(target))
    assert code == 0
    assert out == f"wrote {target}\n"
    assert json.loads(target.read_text(encoding="utf-8"))["title"] == "consultbot flow"


def test_show_keeps_the_lines_of_a_long_text_aligned(tmp_path, capsys):
    path = tmp_path / "long.yml"
    path.write_text(
        "id: demo\ntitle: Démo\nlanguages: [fr]\nconsent: |\n  Première ligne.\n  Deuxième ligne.\n"
        "questions:\n  - {id: q1, type: yes_no, text: Oui ?}\noutro: Merci\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "flows", "show", str(path))
    assert code == 0
    assert "  fr: Première ligne.\n      Deuxième ligne.\n" in out
