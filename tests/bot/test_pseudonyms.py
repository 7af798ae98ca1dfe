import stat

import pytest

from bot.config import load_settings
from bot.errors import ConfigError
from bot.pseudonyms import Pseudonymizer, resolve_secret_key


def test_pseudonyms_are_stable_keyed_and_per_channel():
    a, b = Pseudonymizer(b"k" * 32), Pseudonymizer(b"j" * 32)
    assert a.pseudonym("telegram", "42") == a.pseudonym("telegram", "42")
    assert a.pseudonym("telegram", "42") != b.pseudonym("telegram", "42")
    assert a.pseudonym("telegram", "42") != a.pseudonym("web", "42")
    assert "42" not in a.pseudonym("telegram", "42")


def test_key_from_the_environment():
    settings = load_settings(environ={"CONSULTBOT_SECRET_KEY": "s" * 40})
    assert resolve_secret_key(settings) == b"s" * 40


def test_a_short_key_is_refused():
    settings = load_settings(environ={"CONSULTBOT_SECRET_KEY": "short"})
    with pytest.raises(ConfigError, match="too short"):
        resolve_secret_key(settings)


def test_embedded_sqlite_generates_a_private_key_once(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/data/bot.db"
    settings = load_settings(environ={"CONSULTBOT_DATABASE_URL": url})
    with pytest.raises(ConfigError, match="does not exist"):
        resolve_secret_key(settings)  # no folder is created behind the operator's back
    (tmp_path / "data").mkdir()
    first = resolve_secret_key(settings)
    assert resolve_secret_key(settings) == first
    key_file = tmp_path / "data" / "bot.db.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 32


def test_postgresql_without_a_key_stops_with_advice():
    settings = load_settings(
        environ={"CONSULTBOT_DATABASE_URL": "postgresql+asyncpg://u@db:5432/x"}
    )
    with pytest.raises(ConfigError, match="CONSULTBOT_SECRET_KEY is not set"):
        resolve_secret_key(settings)
