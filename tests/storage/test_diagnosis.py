import asyncpg  # type: ignore[import-untyped]
import pytest

from storage.diagnosis import redact, translate, where
from storage.errors import DatabaseUnavailable


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql+asyncpg://consultbot:s3cret@db.example:5433/consult",
            "postgresql+asyncpg://consultbot@db.example:5433/consult",
        ),
        (
            "postgresql+asyncpg://consultbot@db/consult",
            "postgresql+asyncpg://consultbot@db/consult",
        ),
        (
            "postgresql+asyncpg://consultbot@db/consult?password=s3cret&pool_size=4",
            "postgresql+asyncpg://consultbot@db/consult?pool_size=4",
        ),
        ("sqlite+aiosqlite:///./consultbot.db", "sqlite+aiosqlite:///./consultbot.db"),
        ("::not a url::", "<unparseable database URL>"),
    ],
)
def test_urls_are_shown_without_their_password(url: str, shown: str):
    assert redact(url) == shown


def test_a_database_is_named_by_file_or_by_server_and_name():
    assert where("sqlite+aiosqlite:////var/lib/consultbot/c.db") == (
        "the SQLite database /var/lib/consultbot/c.db"
    )
    described = where("postgresql+asyncpg://u:pw@db.example/consult")
    assert "'consult' on db.example:5432" in described
    assert "pw" not in described


def test_a_driver_cut_off_mid_statement_by_a_server_going_away_lost_the_connection():
    # What asyncpg raises when a restart's termination reaches it mid-statement.
    cut = asyncpg.exceptions.InternalClientError(
        "cannot switch to state 12; another operation (2) is in progress"
    )
    translated = translate(cut, "postgresql+asyncpg://u@db.example/consult")
    assert isinstance(translated, DatabaseUnavailable)
    assert "lost the connection to the database 'consult'" in str(translated)
