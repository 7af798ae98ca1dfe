"""`consultbot flows deploy` and `flows list`, as an organizer runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from tests.bot.cli.test_flows_cli import YAML_MISTAKES, broken_example

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "flows" / "examples" / "mobilite.yml"


@pytest.fixture
def database_env(monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("CONSULTBOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cb.db")


def test_deploy_then_redeploy_then_change(database_env, tmp_path, capsys):
    assert main(["flows", "deploy", str(DEMO), "--by", "organizer"]) == 0
    assert "'mobilite' version 1 is live" in capsys.readouterr().out
    assert main(["flows", "deploy", str(DEMO)]) == 0
    assert "unchanged" in capsys.readouterr().out
    changed = tmp_path / "mobilite.yml"
    changed.write_text(DEMO.read_text(encoding="utf-8").replace("Quatre questions", "4 questions"))
    assert main(["flows", "deploy", str(changed)]) == 0
    assert "version 2 is live" in capsys.readouterr().out
    assert main(["flows", "list"]) == 0
    listing = capsys.readouterr().out
    assert "mobilite" in listing
    assert "v1" in listing
    assert "by organizer" in listing
    assert listing.count("LIVE") == 1
    assert "v2" in listing.split("LIVE")[0].splitlines()[-1]


def test_an_invalid_flow_is_not_deployed(database_env, tmp_path, capsys):
    bad = tmp_path / "bad.yml"
    bad.write_text("id: bad\nquestions: []\n")
    assert main(["flows", "deploy", str(DEMO), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.yml" in err
    assert "Traceback" not in err
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["flows", "list"]) == 0
    assert "No consultation is deployed" in capsys.readouterr().out


def test_list_on_a_database_never_upgraded_says_what_to_do(database_env, capsys):
    assert main(["flows", "list"]) == 1
    assert "consultbot db upgrade" in capsys.readouterr().err


@pytest.mark.parametrize(("mistake", "expected"), YAML_MISTAKES.values(), ids=YAML_MISTAKES)
def test_a_yaml_mistake_is_told_as_validate_tells_it_and_nothing_is_deployed(
    database_env, tmp_path, capsys, mistake, expected
):
    broken = broken_example(tmp_path, *mistake)
    assert main(["flows", "deploy", str(DEMO), str(broken)]) == 1
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"consultbot: {broken}:{expected}\n")
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["flows", "list"]) == 0
    assert "No consultation is deployed" in capsys.readouterr().out
