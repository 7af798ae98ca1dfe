"""`consultbot flows poster`, as an organizer runs it."""

from __future__ import annotations

import io
from pathlib import Path

import zxingcpp
from PIL import Image

from bot.cli import main

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "flows" / "examples" / "mobilite.yml"


def test_a_poster_of_a_deployed_consultation(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("CONSULTBOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cb.db")
    monkeypatch.setenv("CONSULTBOT_SERVER__PUBLIC_URL", "https://consultation.example.fr")
    monkeypatch.setenv("CONSULTBOT_TELEGRAM__BOT_USERNAME", "CvlConsultBot")
    assert main(["flows", "deploy", str(DEMO)]) == 0
    out = tmp_path / "gare.png"
    assert main(["flows", "poster", "mobilite", "--out", str(out), "--source", "gare-tours"]) == 0
    printed = capsys.readouterr().out
    assert "https://consultation.example.fr/c/mobilite?src=gare-tours" in printed
    codes = {c.text for c in zxingcpp.read_barcodes(Image.open(io.BytesIO(out.read_bytes())))}
    assert codes == {
        "https://consultation.example.fr/c/mobilite?src=gare-tours",
        "https://t.me/CvlConsultBot?start=mobilite_S_gare-tours",
    }


def test_an_unknown_consultation_names_the_deployed_ones(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("CONSULTBOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cb.db")
    assert main(["flows", "deploy", str(DEMO)]) == 0
    capsys.readouterr()
    out = tmp_path / "p.pdf"
    code = main(["flows", "poster", "mobilty", "--out", str(out), "--web-url", "https://x.fr"])
    assert code == 1
    assert "no consultation 'mobilty' is deployed (deployed: mobilite)" in capsys.readouterr().err
    assert not out.exists()


def test_a_poster_needs_a_known_format_and_language(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(ROOT)
    web = ["--web-url", "https://x.fr"]
    assert main(["flows", "poster", str(DEMO), "--out", str(tmp_path / "p.docx"), *web]) == 1
    assert "must end in .pdf, .png or .svg" in capsys.readouterr().err
    assert (
        main(["flows", "poster", str(DEMO), "--out", str(tmp_path / "p.svg"), "--lang", "de", *web])
        == 1
    )
    assert "choose one with --lang" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
