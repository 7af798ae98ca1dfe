import os
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_the_documented_config_file_loads_with_defaults():
    settings = load_settings(ROOT / "config.yml", environ={})
    assert settings.database_url == "sqlite+aiosqlite:///./consultbot.db"
    assert settings.region == "24"
    assert settings.server.port == 8080
    assert settings.telegram.bot_token is None


def test_environment_overrides_nested_keys(tmp_path):
    settings = load_settings(
        ROOT / "config.yml",
        environ={
            "CONSULTBOT_DATABASE_URL": "postgresql+asyncpg://u@db:5432/x",
            "CONSULTBOT_TELEGRAM__API_BASE_URL": "http://127.0.0.1:8081/bot",
            "CONSULTBOT_SERVER__PORT": "9000",
            "CONSULTBOT_SERVER__ALLOWED_ORIGINS": '["https://example.fr"]',
            "CONSULTBOT_TELEGRAM__BOT_TOKEN": "123:abc",
        },
    )
    assert settings.database_url == "postgresql+asyncpg://u@db:5432/x"
    assert settings.telegram.api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.server.port == 9000
    assert settings.server.allowed_origins == ("https://example.fr",)
    assert settings.telegram.bot_token is not None
    assert settings.telegram.bot_token.get_secret_value() == "123:abc"


def test_the_file_and_the_environment_merge_section_by_section(tmp_path):
    file = tmp_path / "config.yml"
    file.write_text("server:\n  host: 0.0.0.0\n  port: 8000\n")
    settings = load_settings(file, environ={"CONSULTBOT_SERVER__PORT": "9000"})
    assert (settings.server.host, settings.server.port) == ("0.0.0.0", 9000)


def test_settings_built_in_code_ignore_the_environment(monkeypatch):
    monkeypatch.setenv("CONSULTBOT_REGION", "45")
    assert Settings().region == "24"
    assert load_settings(environ=dict(os.environ)).region == "45"


def test_missing_default_file_means_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_settings(environ={}).server.host == "127.0.0.1"


@pytest.mark.parametrize(
    ("content", "environ", "expected"),
    [
        ("server:\n  prot: 80\n", {}, "server.prot"),
        ("server:\n  port: many\n", {}, "server.port"),
        ("", {"CONSULTBOT_SERVER__PORT": "99999"}, "CONSULTBOT_SERVER__PORT"),
        ("", {"CONSULTBOT_TELEGRAM__BOT_TOKN": "1:a"}, "CONSULTBOT_TELEGRAM__BOT_TOKN"),
        (
            "",
            {"CONSULTBOT_SERVER__ALLOWED_ORIGINS": "[https://a.example"},
            "server.allowed_origins (CONSULTBOT_SERVER__ALLOWED_ORIGINS): a list must be given",
        ),
        ("database_url: mysql://x\n", {}, "unsupported database driver"),
        ("default_language: de\n", {}, "add flows/texts/de.yml"),
        ("telegram:\n  bot_token: '123:abc'\n", {}, "CONSULTBOT_TELEGRAM__BOT_TOKEN"),
        ("secret_key: hunter2\n", {}, "only from the environment"),
        ("database_url: postgresql+asyncpg://u:pw@h/db\n", {}, "CONSULTBOT_DATABASE_URL"),
        ("server: [\n", {}, "not valid YAML"),
        ("- a\n- b\n", {}, "mapping"),
    ],
)
def test_bad_settings_name_the_key(tmp_path, content, environ, expected):
    file = tmp_path / "config.yml"
    file.write_text(content)
    with pytest.raises(ConfigError) as caught:
        load_settings(file, environ=environ)
    assert expected in str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_an_explicit_missing_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_settings(tmp_path / "nope.yml", environ={})


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        (
            {"CONSULTBOT_DATABASE_URL": "postgresql://consultbot:S3cretPass@db:5432/consultbot"},
            "config: database_url (CONSULTBOT_DATABASE_URL or config.yml): Value error, "
            "unsupported database driver 'postgresql' in postgresql://consultbot@db:5432/"
            "consultbot; use sqlite+aiosqlite:///path/to/file.db or "
            "postgresql+asyncpg://user@host:5432/db",
        ),
        (
            {"CONSULTBOT_DATABASE_URL": "postgresql+psycopg://consultbot:S3cretPass@db/x"},
            "config: database_url (CONSULTBOT_DATABASE_URL or config.yml): Value error, "
            "unsupported database driver 'postgresql+psycopg' in postgresql+psycopg://"
            "consultbot@db/x; use sqlite+aiosqlite:///path/to/file.db or "
            "postgresql+asyncpg://user@host:5432/db",
        ),
        (
            {"CONSULTBOT_TELEGRAM": '{"bot_token": 123456789}'},
            "config: telegram.bot_token (CONSULTBOT_TELEGRAM__BOT_TOKEN or config.yml): "
            "Input should be a valid string",
        ),
        (
            {"CONSULTBOT_TELEGRAM": '"123456789:S3cretPass"'},
            "config: telegram (CONSULTBOT_TELEGRAM or config.yml): "
            "Input should be a valid dictionary or instance of TelegramSettings",
        ),
        (
            {"CONSULTBOT_NLU": '{"rasa_url": 123456789}'},
            "config: nlu.rasa_url (CONSULTBOT_NLU__RASA_URL or config.yml): "
            "Input should be a valid string",
        ),
    ],
    ids=["database driver", "another driver", "bot token", "section", "rasa url"],
)
def test_a_setting_that_may_hold_a_secret_is_never_shown_back(
    tmp_path, monkeypatch, environ, expected
):
    monkeypatch.chdir(tmp_path)  # no config.yml: the environment alone
    with pytest.raises(ConfigError) as caught:
        load_settings(environ=environ)
    assert str(caught.value) == expected
    assert "S3cretPass" not in str(caught.value)
    assert "123456789" not in str(caught.value)


def test_other_settings_show_the_value_given():
    with pytest.raises(ConfigError) as caught:
        load_settings(ROOT / "config.yml", environ={"CONSULTBOT_SERVER__PORT": "lots"})
    assert str(caught.value).endswith("unable to parse string as an integer (got 'lots')")


def test_a_password_given_as_a_url_option_is_refused_in_the_file(tmp_path):
    file = tmp_path / "config.yml"
    file.write_text("database_url: postgresql+asyncpg://u@h/db?password=S3cretPass\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(file, environ={})
    assert str(caught.value) == (
        f"{file}: database_url holds a password; set the URL in CONSULTBOT_DATABASE_URL instead"
    )


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        (
            {"CONSULTBOT_SERVER__ALLOWED_ORIGINS": "https://x.fr"},
            "config: server.allowed_origins (CONSULTBOT_SERVER__ALLOWED_ORIGINS): a list must "
            """be given as JSON: CONSULTBOT_SERVER__ALLOWED_ORIGINS='["https://x.fr"]'""",
        ),
        (
            {"CONSULTBOT_CONSOLE__REJECTION_REASONS": "spam, other", "CONSULTBOT_REGION": "24"},
            "config: console.rejection_reasons (CONSULTBOT_CONSOLE__REJECTION_REASONS): a list "
            """must be given as JSON: CONSULTBOT_CONSOLE__REJECTION_REASONS='["spam", "other"]'""",
        ),
        (
            {"CONSULTBOT_TELEGRAM": "123456789:S3cretPass"},
            "config: telegram (CONSULTBOT_TELEGRAM): a section must be given as a JSON map, "
            "or one variable per key (CONSULTBOT_TELEGRAM__<KEY>)",
        ),
    ],
    ids=["plain value", "comma-separated", "section"],
)
def test_a_list_not_given_as_json_names_the_setting_and_its_variable(environ, expected):
    with pytest.raises(ConfigError) as caught:
        load_settings(ROOT / "config.yml", environ=environ)
    assert str(caught.value) == expected
