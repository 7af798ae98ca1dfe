"""`consultbot human ...` run as a separate process, on both databases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.channel_contract import InboundMessage
from storage import audit
from tests.bot.cli.running import consultbot
from tests.bot.conftest import ServiceFactory
from tests.serving import SECRET


async def _resident_asks_for_a_person(open_service: ServiceFactory, user: str) -> None:
    service = await open_service()
    now = dt.datetime.now(dt.UTC)
    for n, text in enumerate(("bonjour", "oui", "humain")):
        await service.handle(InboundMessage("rest", user, text, f"{user}-{n}", now))


async def test_list_show_reply_and_done(
    open_service: ServiceFactory, database_url: str, tmp_path: Path
):
    await _resident_asks_for_a_person(open_service, "alice")

    async def human(*args: str) -> str:
        outcome = await consultbot(
            "human",
            *args,
            "--by",
            "moderator-7",
            cwd=tmp_path,
            database_url=database_url,
            CONSULTBOT_SECRET_KEY=SECRET,
        )
        assert outcome.code == 0, outcome.err
        return outcome.out

    listed = await human("list")
    assert "1 conversations wait for a reply" in listed
    session_id = listed.splitlines()[-1].split()[0]
    assert "mobilite" in listed.splitlines()[-1]

    assert "queued: the resident sees it" in await human("reply", session_id, "Bonjour Alice")
    shown = await human("show", session_id)
    assert "resident  humain" in shown
    assert "team      Bonjour Alice" in shown
    assert "by moderator-7: queued" in shown

    assert "marked handled" in await human("done", session_id)
    assert "No resident is waiting" in await human("list")
    assert "back in the list" in await human("done", session_id, "--reopen")

    service = await open_service()
    async with service.database.transaction() as s:
        records = await audit.recent(s)
    assert [(r.action, r.actor) for r in records[:6]] == [
        ("human.reopened", "moderator-7"),
        ("human.list", "moderator-7"),
        ("human.handled", "moderator-7"),
        ("transcript.read", "moderator-7"),
        ("team.reply", "moderator-7"),
        ("human.list", "moderator-7"),
    ]
    assert records[0].subject == f"session:{session_id}"


async def test_a_reply_to_a_conversation_that_is_gone_says_so(
    open_service: ServiceFactory, database_url: str, tmp_path: Path
):
    await open_service()  # a migrated database
    common = {"cwd": tmp_path, "database_url": database_url, "CONSULTBOT_SECRET_KEY": SECRET}
    replied = await consultbot("human", "reply", "999", "Bonjour", **common)
    assert replied.code == 1
    assert "no longer exists" in replied.out
    done = await consultbot("human", "done", "999", **common)
    assert done.code == 1
    assert "there is no conversation 999" in done.err
    empty = await consultbot("human", "reply", "999", "  ", **common)
    assert (empty.code, empty.err.strip()) == (
        1,
        "consultbot: the reply is empty: write what the resident should read",
    )
