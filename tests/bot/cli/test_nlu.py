"""`consultbot nlu eval` and `consultbot nlu parse`, run as a user runs them."""

import json

import pytest

from bot.cli import main

CASES = [
    {"id": "a", "lang": "fr", "kind": "yes_no", "text": "ouais", "expected": {"answer": True}},
    {"id": "b", "lang": "fr", "kind": "choice", "text": "la deuxième",
     "choices": [{"id": "car", "label": "Voiture"}, {"id": "bus", "label": "Bus"}],
     "expected": {"answer": "bus"}},
    {"id": "c", "lang": "en", "kind": "number", "min": 0, "max": 10, "text": "twelve",
     "expected": {"reject": True}},
    {"id": "d", "lang": "fr", "kind": "free_text", "text": "aide", "expected": {"intent": "help"}},
    {"id": "e", "lang": "fr", "kind": "date", "text": "demain",
     "expected": {"answer": "2026-06-17"}},
]  # fmt: skip


@pytest.fixture(autouse=True)
def no_config_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in list(__import__("os").environ):
        if name.startswith("CONSULTBOT_"):
            monkeypatch.delenv(name)


def write_cases(path, cases):
    path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in cases) + "\n")
    return path


def test_eval_prints_accuracy_per_kind_and_form(tmp_path, capsys):
    file = write_cases(tmp_path / "cases.jsonl", CASES)
    assert main(["nlu", "eval", str(file), "--show-failures"]) == 0
    out = capsys.readouterr().out
    # The date case got a value that was not meant: wrong, not a re-ask.
    assert "cases: 5   accuracy: 80.0%   wrong: 20.0%   confirmations: 0.0%   re-asks: 0.0%" in out
    assert "  date              1      0.0%  100.0%     0.0%    0.0%" in out
    assert "  reject            1    100.0%    0.0%     0.0%    0.0%" in out
    assert "  en                1    100.0%    0.0%     0.0%    0.0%" in out
    assert "commands: 100.0% recognised   answers taken for a command: 0.0%" in out
    assert "p99" in out
    # Tomorrow of the reference Monday 2026-06-15 is the 16th: case e is wrong on purpose.
    assert (
        "FAIL e [date/fr] 'demain': expected answer '2026-06-17', got answer \"2026-06-16\"" in out
    )


def test_eval_json(tmp_path, capsys):
    file = write_cases(tmp_path / "cases.jsonl", CASES[:4])
    assert main(["nlu", "eval", str(file), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["cases"] == 4
    assert report["accuracy"] == 1.0
    assert report["by_kind"]["choice"] == {
        "cases": 1,
        "accuracy": 1.0,
        "wrong": 0.0,
        "confirmations": 0.0,
        "reasks": 0.0,
    }
    assert report["by_lang"]["en"]["cases"] == 1
    assert report["p99_ms"] >= report["p50_ms"] > 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "a"}\nnot json\n', "cases.jsonl:1: lang: Field required"),
        (json.dumps(CASES[0]) + "\n{oops\n", "cases.jsonl:2: not valid JSON"),
        (json.dumps({**CASES[0], "kind": "colour"}), "cases.jsonl:1: kind"),
        (json.dumps({**CASES[0], "expected": {"answer": 1, "reject": True}}), "exactly one"),
        ("\n\n", "no cases"),
    ],
)
def test_eval_reports_bad_files_with_their_line(tmp_path, capsys, content, message):
    (tmp_path / "cases.jsonl").write_text(content)
    assert main(["nlu", "eval", str(tmp_path / "cases.jsonl")]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_eval_of_a_missing_file(tmp_path, capsys):
    assert main(["nlu", "eval", str(tmp_path / "nope.jsonl")]) == 1
    assert "cannot be read" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["la deuxième", "--kind", "choice", "--choices", "car:Voiture,bus:Bus"], 'answer "bus"'),
        (["bus et voiture", "--kind", "multi_choice", "--choices", "car:Voiture,bus:Bus"],
         'answer ["car", "bus"]'),
        (["vingt-cinq", "--kind", "number", "--min", "0", "--max", "100"], "answer 25"),
        (["vingt-cinq", "--kind", "scale", "--min", "1", "--max", "5"], "reject (out_of_range)"),
        (["next Monday", "--kind", "date", "--lang", "en", "--today", "2026-06-15"],
         'answer "2026-06-22"'),
        (["st jean de braye", "--kind", "commune"], 'answer "45284"'),
        (["stop", "--kind", "yes_no"], "command stop"),
    ],
)  # fmt: skip
def test_parse_shows_one_interpretation(capsys, argv, shown):
    assert main(["nlu", "parse", *argv]) == 0
    assert capsys.readouterr().out.strip() == shown


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["x", "--kind", "choice"], '--kind choice needs --choices "id:Label,id:Label"'),
        (["x", "--kind", "choice", "--choices", "car"], "'car' is not \"id:Label\""),
        (["x", "--kind", "date", "--today", "tomorrow"], "--today: 'tomorrow' is not a date"),
    ],
)
def test_parse_reports_bad_arguments(capsys, argv, message):
    assert main(["nlu", "parse", *argv]) == 1
    assert message in capsys.readouterr().err


def test_deployment_training_files_are_read(tmp_path, capsys, monkeypatch):
    extra = tmp_path / "mairie.yml"
    extra.write_text("nlu:\n- intent: human\n  examples: |\n    - passez-moi la mairie\n")
    (tmp_path / "config.yml").write_text(f"nlu:\n  training_files: [{extra}]\n")
    assert main(["nlu", "parse", "passez-moi la mairie", "--kind", "number"]) == 0
    assert capsys.readouterr().out.strip() == "command human"
    extra.write_text("nlu: [")
    assert main(["nlu", "parse", "x", "--kind", "number"]) == 1
    assert "nlu.training_files:" in capsys.readouterr().err


def test_parse_shows_a_confirmation_with_its_candidates(capsys):
    assert main(["nlu", "parse", "Vineuil", "--kind", "commune"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == 'confirm (homonyms): "41295" (Vineuil (41)) | "36247" (Vineuil (36))'
