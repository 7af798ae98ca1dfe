"""Settings: one typed object loaded once from config.yml and the environment.

Every key can be overridden by an environment variable named `CONSULTBOT_` plus
the key path in capitals, nested keys joined by `__`
(`telegram.api_base_url` -> `CONSULTBOT_TELEGRAM__API_BASE_URL`); lists and maps
are given as JSON. Reading the environment is pydantic-settings' (its
`EnvSettingsSource`); the file is read here, so that its errors name a line and
so that secrets (`secret_key`, `telegram.bot_token`, `telegram.webhook_secret`,
database passwords) are refused in it: they are accepted only from the
environment.

`Settings(...)` built in code takes only what it is given; `load_settings`
reads the file and the environment.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.errors import ConfigError

ENV_PREFIX = "CONSULTBOT_"
DEFAULT_CONFIG_FILE = Path("config.yml")
# Keys that must never come from a file kept beside the code.
SECRET_KEYS: tuple[tuple[str, ...], ...] = (
    ("secret_key",),
    ("telegram", "bot_token"),
    ("telegram", "webhook_secret"),
)
# Settings whose value is never shown back in an error, for it may hold a
# secret: the secrets themselves, and URLs, which can carry a password
# (user:password@host) or a token in their path. The database URL's own
# message shows it without its password (storage.diagnosis.redact).
UNSHOWN_KEYS: tuple[tuple[str, ...], ...] = (
    *SECRET_KEYS,
    ("database_url",),
    ("nlu", "rasa_url"),
    ("telegram", "api_base_url"),
    ("telegram", "webhook_url"),
)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    allowed_origins: tuple[str, ...] = ()
    header_timeout_s: float = Field(default=10.0, gt=0)
    body_timeout_s: float = Field(default=30.0, gt=0)
    max_connections_per_address: int = Field(default=200, ge=0)
    log_client_addresses: bool = False
    public_url: str | None = None
    # Reverse proxies whose X-Forwarded-For / -Proto are believed (bot.web.proxies).
    trusted_proxies: tuple[str, ...] = ()

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        # Imported here: bot.web brings aiohttp, which commands that serve
        # nothing (exports, the CLI) need not load.
        from bot.web.proxies import networks

        networks(values)  # a value that is no address or network: its own message
        return values


class SessionSettings(_Section):
    expire_after_days: float = Field(default=7, gt=0)


class PrivacySettings(_Section):
    keep_anonymised_answers_on_delete: bool = False
    transcript_retention_days: int = Field(default=365, ge=1)


class NluSettings(_Section):
    training_files: tuple[Path, ...] = ()
    rasa_url: str | None = None


class TelegramSettings(_Section):
    bot_token: SecretStr | None = None
    webhook_secret: SecretStr | None = None
    api_base_url: str = "https://api.telegram.org/bot"
    webhook_url: str | None = None
    bot_username: str | None = None


REJECTION_REASONS = ("off-topic", "abusive", "personal-data", "duplicate", "spam", "other")


class ConsoleSettings(_Section):
    rejection_reasons: tuple[str, ...] = Field(default=REJECTION_REASONS, min_length=1)
    require_2fa: bool = False
    session_idle_hours: float = Field(default=12, gt=0)


class ApiSettings(_Section):
    """The engine's pull API: requests per minute per token, and the burst allowed."""

    rate_per_minute: int = Field(default=600, ge=1)
    burst: int = Field(default=120, ge=1)


class DeliverySettings(_Section):
    """Webhook deliveries: run by `consultbot serve` too (false: only by `consultbot deliver`)."""

    in_serve: bool = True
    # Events sent to one endpoint at once: 1 keeps each endpoint's order;
    # more is faster to a receiver that takes requests in parallel, in any order.
    in_flight: int = Field(default=1, ge=1, le=64)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        extra="forbid", frozen=True, env_prefix=ENV_PREFIX, env_nested_delimiter="__"
    )

    database_url: str = "sqlite+aiosqlite:///./consultbot.db"
    secret_key: SecretStr | None = None
    region: str = "24"
    default_language: str = "fr"  # a language of the text catalogue (flows/texts)
    default_consultation: str = "mobilite"
    flows_dir: Path | None = None
    debug: bool = False
    server: ServerSettings = ServerSettings()
    sessions: SessionSettings = SessionSettings()
    privacy: PrivacySettings = PrivacySettings()
    nlu: NluSettings = NluSettings()
    telegram: TelegramSettings = TelegramSettings()
    console: ConsoleSettings = ConsoleSettings()
    api: ApiSettings = ApiSettings()
    delivery: DeliverySettings = DeliverySettings()

    @field_validator("default_language")
    @classmethod
    def _catalogue_language(cls, value: str) -> str:
        from flows.catalogue import CATALOGUE

        if value not in CATALOGUE.languages:
            raise ValueError(
                f"the text catalogue has no {value!r}; use one of "
                f"{', '.join(CATALOGUE.languages)}, or add flows/texts/{value}.yml"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        # Imported here: storage.database pulls in Alembic, and settings load early.
        from storage.engines import parse_url
        from storage.errors import StorageError

        try:
            parse_url(value)
        except StorageError as error:
            raise ValueError(str(error)) from None
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only the values given: `load_settings` adds the file and the environment."""
        return (init_settings,)


class _Environment(EnvSettingsSource):
    """pydantic-settings' reading of `CONSULTBOT_*` variables, from a given mapping
    (the process environment, or a test's)."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(Settings)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        # Names are matched case-insensitively, as pydantic-settings does by default.
        return {name.lower(): value for name, value in self._environ.items()}


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read `path` (default: ./config.yml when present), overlay the environment,
    validate. Raises ConfigError with one line per problem."""
    environ = os.environ if environ is None else environ
    explicit = path is not None or ENV_PREFIX + "CONFIG" in environ
    file = path or Path(environ.get(ENV_PREFIX + "CONFIG", DEFAULT_CONFIG_FILE))
    data = _read_file(file, required=explicit)
    for keys in SECRET_KEYS:
        if _lookup(data, keys) is not None:
            name = ".".join(keys)
            raise ConfigError(
                f"{file}: {name} is a secret and is read only from the environment; "
                f"remove it from the file and set {_env_name(keys)} instead"
            )
    if _has_password(data.get("database_url")):
        raise ConfigError(
            f"{file}: database_url holds a password; set the URL in "
            f"{ENV_PREFIX}DATABASE_URL instead"
        )
    try:
        overrides = _Environment(environ)()
    except SettingsError:  # a list or map that is not JSON
        raise ConfigError(_not_json(environ)) from None
    _merge(data, overrides)
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_describe(error, file)) from None


def _has_password(url: object) -> bool:
    # asyncpg also takes the password as a URL option (?password=...).
    try:
        parsed = make_url(url) if isinstance(url, str) else None
    except ArgumentError:
        return False  # reported by validation
    return parsed is not None and (parsed.password is not None or "password" in parsed.query)


def _read_file(file: Path, *, required: bool) -> dict[str, Any]:
    if not file.exists():
        if required:
            raise ConfigError(f"{file}: no such configuration file")
        return {}
    try:
        loaded = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{file}: cannot be read ({error})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{file}:{mark.line + 1}" if mark is not None else str(file)
        raise ConfigError(f"{where}: not valid YAML ({getattr(error, 'problem', error)})") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigError(f"{file}: expected a mapping of settings at the top level")
    return loaded


def _lookup(data: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    node: Any = data
    for key in keys:
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def _not_json(environ: Mapping[str, str]) -> str:
    """The lines for the variables whose list or map is not JSON: each is read
    alone again, as pydantic-settings' own error names only the section."""
    lines = []
    for name in sorted(environ):
        if not name.upper().startswith(ENV_PREFIX):
            continue
        try:
            _Environment({name: environ[name]})()
        except SettingsError:
            variable = name.upper()
            keys = tuple(variable[len(ENV_PREFIX) :].lower().split("__"))
            lines.append(
                f"config: {'.'.join(keys)} ({variable}): {_json_advice(keys, environ[name])}"
            )
    return "\n".join(lines) or "config: a list or a map in the environment is not JSON"


def _json_advice(keys: tuple[str, ...], value: str) -> str:
    variable = _env_name(keys)
    if len(keys) == 1:  # a whole section
        return f"a section must be given as a JSON map, or one variable per key ({variable}__<KEY>)"
    # The value given, written as the JSON list it presumably meant (lists hold
    # origins, addresses, paths and reasons: nothing secret).
    items = [item.strip().strip("'\"") for item in value.strip().strip("[]").split(",")]
    example = json.dumps([item for item in items if item]) or "[]"
    return f"a list must be given as JSON: {variable}='{example}'"


def _merge(data: dict[str, Any], overrides: Mapping[str, Any]) -> None:
    """The environment's values over the file's, section by section."""
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(data.get(key), dict):
            _merge(data[key], value)
        else:
            data[key] = value


def _env_name(keys: tuple[str, ...]) -> str:
    return ENV_PREFIX + "__".join(k.upper() for k in keys)


def _describe(error: ValidationError, file: Path) -> str:
    lines = []
    for problem in error.errors():
        keys = tuple(str(part) for part in problem["loc"])
        name = ".".join(keys)
        if problem["type"] == "extra_forbidden":
            message = "unknown setting (see config.yml for the documented keys)"
        else:
            message = problem["msg"]
            if _may_show(keys, problem):
                message += f" (got {problem['input']!r})"
        lines.append(f"config: {name} ({_env_name(keys)} or {file}): {message}")
    return "\n".join(lines)


def _may_show(keys: tuple[str, ...], problem: ErrorDetails) -> bool:
    """Whether an error may show the value given: a plain one, of no setting
    that may hold a secret nor of a section holding one."""
    if "input" not in problem or isinstance(problem["input"], dict | list):
        return False
    return not any(unshown[: len(keys)] == keys for unshown in UNSHOWN_KEYS)
