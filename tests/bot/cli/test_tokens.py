"""`consultbot tokens` as an operator runs it."""

from __future__ import annotations

from pathlib import Path

from storage import api_tokens
from storage.database import Database
from tests.bot.cli.running import consultbot


async def test_a_token_is_shown_once_stored_hashed_listed_and_revoked(
    database: Database, database_url: str, tmp_path: Path
):
    made = await consultbot(
        "tokens",
        "create",
        "decidim",
        "--scope",
        "events:read",
        cwd=tmp_path,
        database_url=database_url,
    )
    assert made.code == 0, made.err
    token = made.out.strip().splitlines()[-1]
    assert token.startswith("cbt_")
    async with database.transaction() as s:
        stored = await api_tokens.find(s, token)
        assert stored is not None
        assert stored.scopes == ("events:read",)
        listed_rows = await api_tokens.all_tokens(s)
    assert len(listed_rows) == 1
    listed = await consultbot("tokens", "list", cwd=tmp_path, database_url=database_url)
    assert "decidim\tevents:read\tactive" in listed.out
    assert token not in listed.out
    again = await consultbot(
        "tokens",
        "create",
        "decidim",
        "--scope",
        "events:read",
        cwd=tmp_path,
        database_url=database_url,
    )
    assert again.code == 1
    assert "a token named 'decidim' exists" in again.err
    revoked = await consultbot(
        "tokens", "revoke", "decidim", cwd=tmp_path, database_url=database_url
    )
    assert revoked.code == 0
    async with database.transaction() as s:
        found = await api_tokens.find(s, token)
        assert found is not None
        assert found.revoked_at is not None
    bad = await consultbot(
        "tokens", "create", "x", "--scope", "everything", cwd=tmp_path, database_url=database_url
    )
    assert bad.code == 2
    assert "is not a scope" in bad.err
