"""`consultbot simulate` as an organizer uses it: interactive, scripted, and the
clear one-line errors on bad input."""

import os
import subprocess
import sys

import pytest

from bot.cli import main
from tests.e2e.transcript import EXAMPLES, ROOT

MOBILITE = str(EXAMPLES / "mobilite.yml")


def consultbot(*args, stdin="", cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
        timeout=60,
    )


def test_interactive_the_bot_speaks_first_and_a_closed_input_ends_quietly(tmp_path):
    run = consultbot("simulate", MOBILITE, stdin="oui\ntrain\n", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    out = run.stdout
    assert out.index("Acceptez-vous ?\n[Oui] [Non]") < out.index("> ")
    assert "Comment vous déplacez-vous le plus souvent ?" in out
    assert "De 1 à 5" in out
    assert list(tmp_path.iterdir()) == []  # nothing kept: no database, no key file


def test_the_deployments_training_files_are_used(tmp_path):
    """The simulator understands what the served bot understands: a deployment's
    own training data (here a synonym) counts in both."""
    (tmp_path / "ours.yml").write_text(
        'version: "3.1"\nnlu:\n- synonym: train\n  examples: |\n    - micheline\n',
        encoding="utf-8",
    )
    (tmp_path / "config.yml").write_text("nlu:\n  training_files: [ours.yml]\n", encoding="utf-8")
    script = tmp_path / "s.txt"
    script.write_text("bonjour\noui\nla micheline\n", encoding="utf-8")
    run = consultbot("simulate", MOBILITE, "--script", str(script), "--effects", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert '(stored: answer to mode = "train")' in run.stdout
    assert "De 1 à 5" in run.stdout


def test_interactive_in_english(tmp_path):
    run = consultbot("simulate", MOBILITE, "--lang", "en", stdin="yes\n", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Do you agree?\n[Yes] [No]" in run.stdout
    assert "How do you usually travel?" in run.stdout


def test_a_script_prints_both_sides_and_skips_blank_and_comment_lines(capsys, tmp_path):
    script = tmp_path / "s.txt"
    script.write_text("# a dry run\n\noui\r\nvoiture\n", encoding="utf-8")
    assert main(["simulate", MOBILITE, "--script", str(script)]) == 0
    out = capsys.readouterr().out
    assert "> oui\n" in out
    assert "> voiture\n" in out
    assert "a dry run" not in out
    assert out.count("\n> ") == 2


@pytest.mark.parametrize(
    ("make_args", "message"),
    [
        (lambda tmp: ["simulate", str(tmp / "nope.yml")], "no such file"),
        (lambda tmp: ["simulate", str(tmp)], "directory"),
        (lambda tmp: ["simulate", MOBILITE, "--script", str(tmp / "none.txt")], "no such script"),
        (lambda tmp: ["simulate", MOBILITE, "--script", str(tmp)], "directory"),
        (lambda tmp: ["simulate", MOBILITE, "--script", sys.executable], "not a UTF-8 text"),
        (lambda tmp: ["simulate", MOBILITE, "--lang", "de"], "choose one of: fr, en"),
    ],
)
def test_bad_input_gives_one_clear_line_and_exit_1(tmp_path, make_args, message):
    run = consultbot(*make_args(tmp_path), cwd=tmp_path)
    assert run.returncode == 1
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    assert run.stderr.startswith("consultbot: ")
    assert message in run.stderr


def test_a_broken_flow_file_is_reported_with_its_line(tmp_path):
    flow = tmp_path / "broken.yml"
    flow.write_text("id: broken\nquestions: [\n", encoding="utf-8")
    run = consultbot("simulate", str(flow), cwd=tmp_path)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert f"{flow}:" in run.stderr


def test_a_bad_day_is_refused_by_the_argument_parser(tmp_path):
    run = consultbot("simulate", MOBILITE, "--today", "2026-13-01", cwd=tmp_path)
    assert run.returncode == 2
    assert "not a date" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_reader_that_goes_away_ends_the_simulation_quietly(tmp_path):
    script = tmp_path / "s.txt"
    script.write_text("bonjour\n" * 2000, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "simulate", MOBILITE, "--script", str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.read(100)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141  # as Unix tools ended by SIGPIPE
    assert "Traceback" not in err
