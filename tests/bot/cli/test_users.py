from pathlib import Path

from storage.database import Database
from tests.bot.cli.running import consultbot

KEY = {"CONSULTBOT_SECRET_KEY": "s" * 40}


async def test_add_prints_a_link_list_shows_the_account_and_audit_shows_who(
    database: Database, database_url: str, tmp_path: Path
):
    added = await consultbot(
        "users", "add", "Ana@Region.fr", "--role", "moderator", "--consultation", "mobilite",
        database_url=database_url, cwd=tmp_path, **KEY,
    )  # fmt: skip
    assert added.code == 0, added.err
    assert "added ana@region.fr (moderator)" in added.out
    assert "http://127.0.0.1:8080/console/welcome/" in added.out
    again = await consultbot(
        "users", "add", "ana@region.fr", "--role", "admin",
        database_url=database_url, cwd=tmp_path, **KEY,
    )  # fmt: skip
    assert again.code == 1
    assert "there is already an account for ana@region.fr" in again.err
    listed = await consultbot("users", "list", database_url=database_url, cwd=tmp_path, **KEY)
    assert "ana@region.fr  moderator  no password yet  no 2FA  consultations: mobilite" in (
        listed.out
    )
    disabled = await consultbot(
        "users", "disable", "ana@region.fr", database_url=database_url, cwd=tmp_path, **KEY
    )
    assert disabled.code == 0, disabled.err
    logged = await consultbot(
        "audit", "--since", "1d", database_url=database_url, cwd=tmp_path, **KEY
    )
    assert logged.code == 0, logged.err
    lines = logged.out.splitlines()
    assert "user.disable  cli:" in lines[0]
    assert "user:ana@region.fr active->disabled" in lines[0]
    assert "user.add" in lines[1]
    as_csv = await consultbot("audit", "--csv", database_url=database_url, cwd=tmp_path, **KEY)
    assert as_csv.out.splitlines()[0] == "at,action,actor,subject,before,after,details,counts"


async def test_reset_of_an_unknown_account_says_so(
    database: Database, database_url: str, tmp_path: Path
):
    outcome = await consultbot(
        "users", "reset", "nobody@region.fr", database_url=database_url, cwd=tmp_path, **KEY
    )
    assert outcome.code == 1
    assert "no console account for nobody@region.fr" in outcome.err
