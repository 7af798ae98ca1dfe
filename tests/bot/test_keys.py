"""The deployment's secret and the keys derived from it."""

import stat
from pathlib import Path

import pytest

from bot.channels.telegram.address import ChatAddressCipher
from bot.config import load_settings
from bot.errors import ConfigError
from bot.keys import MIN_KEY_LENGTH, Keys, resolve_secret_key

SECRET = b"a deployment secret key, long enough"
ROOT = Path(__file__).resolve().parents[2]
ADVICE = "e.g. the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


def test_each_purpose_has_its_own_stable_key():
    keys = Keys(SECRET)
    purposes = ("web chat participant token", "telegram callback data", "telegram chat address")
    derived = [keys.derive(purpose) for purpose in purposes]
    assert len(set(derived)) == 3
    assert SECRET not in derived
    assert all(len(key) == 32 for key in derived)
    assert derived == [Keys(SECRET).derive(purpose) for purpose in purposes]
    assert Keys(b"another secret, long enough").derive(purposes[0]) != derived[0]


def test_the_pseudonym_key_is_the_secret_so_stored_pseudonyms_still_match():
    assert Keys(SECRET).pseudonyms == SECRET


def test_a_chat_address_stored_before_the_derivation_was_shared_still_decrypts():
    stored = (
        "gAAAAABrEsfTKhCfa3-420yN9c_j7HON7lf37SLGofXJIVw-WhPIAtnsxGw2D_41cNN_Z8vNPTbd_"
        "DT65wOli9NmEyZxCDXU3w=="
    )
    assert ChatAddressCipher(Keys(SECRET)).decrypt(stored) == 123456789


def test_key_from_the_environment():
    settings = load_settings(environ={"CONSULTBOT_SECRET_KEY": "s" * 40})
    assert resolve_secret_key(settings) == b"s" * 40


def test_a_short_key_is_refused():
    settings = load_settings(environ={"CONSULTBOT_SECRET_KEY": "s" * 15})
    with pytest.raises(ConfigError) as caught:
        resolve_secret_key(settings)
    assert str(caught.value) == (
        f"CONSULTBOT_SECRET_KEY is too short: use at least 16 random characters, {ADVICE}"
    )


@pytest.mark.parametrize("length", [16, 20, 31])
def test_a_key_of_16_characters_or_more_is_taken(length):
    # Deployments whose residents are pseudonymised under such a key keep starting.
    settings = load_settings(environ={"CONSULTBOT_SECRET_KEY": "k" * length})
    assert resolve_secret_key(settings) == b"k" * length


def test_the_readme_states_the_length_enforced():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"least {MIN_KEY_LENGTH} random characters (shorter is refused)" in readme
    assert "32 random" not in readme.replace("32 random characters of A-Z a-z 0-9 _ -", "")


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
    with pytest.raises(ConfigError) as caught:
        resolve_secret_key(settings)
    assert str(caught.value) == (
        "CONSULTBOT_SECRET_KEY is not set: it keys the pseudonyms of residents and must be "
        "the same for every process and every restart; set it to at least 16 random "
        f"characters, {ADVICE}"
    )
