"""Follow-ups to the residents who asked for them: checked texts, Telegram at a
pace Telegram accepts (the fake Bot API refuses what comes too early after a
429), never twice, even when the sending process is killed half-way."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.channel_contract import InboundMessage
from bot.channels.telegram.address import ChatAddressCipher
from bot.deployment import BUNDLED_FLOWS, deploy_file
from bot.follow_ups import FollowUpError, FollowUps, Pace
from bot.team_messages import TeamMessages
from storage import consultations, follow_ups, participants, sessions
from storage.database import Database
from storage.models import FollowUpRow
from tests.bot.channels.fake_bot_api import TOKEN, FakeBotApi, Resident
from tests.bot.cli.running import ROOT
from tests.bot.conftest import Clock, ServiceFactory
from tests.serving import SECRET, running, settings_for

NOW = dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)
TEXTS = {"fr": "La Région a retenu vos idées : plus de trains le soir.", "en": "More trains."}
CHAT_IDS = 700_000


async def _telegram_residents(database: Database, database_url: str, count: int) -> None:
    """`count` Telegram residents who took part in mobilite and asked for its
    follow-ups, with their chat addresses stored encrypted as the channel does."""
    cipher = ChatAddressCipher.from_settings(settings_for(database_url))
    await deploy_file(database, BUNDLED_FLOWS / "mobilite.yml", now=NOW, deployed_by="t")
    async with database.transaction() as s:
        found = await consultations.live_id_and_dates(s, "mobilite")
        assert found is not None
        live, _ = found
        for n in range(count):
            chat_id = CHAT_IDS + n
            resident = await participants.create(
                s,
                "telegram",
                f"{chat_id:064x}",
                now=NOW,
                language="fr",
                consented_at=NOW,
                address=cipher.encrypt(chat_id).encode("ascii"),
            )
            await sessions.create(s, resident.id, live, {"step": 0}, now=NOW)
            await follow_ups.give(s, resident.id, "mobilite", now=NOW)


async def _follow_up_count(database: Database) -> int:
    async with database.transaction() as s:
        return int(await s.scalar(select(func.count()).select_from(FollowUpRow)) or 0)


async def test_texts_are_checked_against_the_flow_and_nothing_is_stored_when_wrong(
    database: Database,
):
    await deploy_file(database, BUNDLED_FLOWS / "mobilite.yml", now=NOW, deployed_by="t")
    service = FollowUps(database, TeamMessages(database))
    wrong = [
        ({"fr": "Merci"}, "no text in 'en'"),
        ({"fr": "  ", "en": "Thanks"}, "no text in 'fr'"),
        ({**TEXTS, "de": "Danke"}, "no language de"),
        ({"fr": "x" * 5000, "en": "Thanks"}, "at most 3900"),
    ]
    for texts, said in wrong:
        with pytest.raises(FollowUpError, match=said):
            await service.create("mobilite", texts, "organizer-1", NOW)
    with pytest.raises(FollowUpError, match="no consultation 'nope'"):
        await service.create("nope", TEXTS, "organizer-1", NOW)
    assert await _follow_up_count(database) == 0


async def test_telegram_residents_get_it_once_at_a_pace_telegram_accepts(
    database: Database, database_url: str, fake: FakeBotApi
):
    await _telegram_residents(database, database_url, 60)
    settings = settings_for(
        database_url, telegram__bot_token=TOKEN, telegram__api_base_url=fake.base_url
    )
    team = TeamMessages.for_settings(database, settings)
    service = FollowUps(database, team)
    follow_up, asking = await service.create("mobilite", TEXTS, "organizer-1", NOW)
    assert asking == 60
    assert await service.release(follow_up.id, "organizer-1", NOW) == 60
    fake.enforce_flood_wait = True
    fake.fail_next(2, 429, retry_after=1)  # Telegram's flood control, twice
    fake.block(Resident(id=CHAT_IDS + 7))  # one resident blocked the bot since
    try:
        progress = await service.send(
            follow_up.id, now=lambda: dt.datetime.now(dt.UTC), pace=Pace(25)
        )
        again = await service.send(follow_up.id, now=lambda: dt.datetime.now(dt.UTC), pace=Pace(25))
    finally:
        await team.close()
    received = Counter(message["chat"]["id"] for message in fake.sent)
    assert sorted(received) == [CHAT_IDS + n for n in range(60) if n != 7]
    assert set(received.values()) == {1}  # the second send sent nothing again
    assert fake.too_early == 0  # every 429 was waited out
    assert _most_in_one_second(fake.sent_at) <= 26
    assert (progress.delivered, progress.unreachable, progress.waiting) == (59, 1, 0)
    assert again == progress


async def test_a_rest_resident_reads_it_with_their_next_replies(
    open_service: ServiceFactory, clock: Clock
):
    service = await open_service()
    replies: list[str] = []
    for n, text in enumerate(["bonjour", "oui", "train", "4", "45000", "Plus de trains", "x"]):
        clock.advance(seconds=5)
        found = await service.handle(InboundMessage("rest", "camille", text, f"m{n}", clock()))
        replies = [reply.text for reply in found]
        if n == 5:
            async with service.database.transaction() as s:
                resident = await participants.find(s, "rest", service.pseudonym("rest", "camille"))
                assert resident is not None
                await follow_ups.give(s, resident.id, "mobilite", now=clock())
            sender = FollowUps(service.database, TeamMessages(service.database))
            follow_up, _ = await sender.create("mobilite", TEXTS, "organizer-1", clock())
            assert await sender.release(follow_up.id, "organizer-1", clock()) == 1
    assert any(TEXTS["fr"] in reply for reply in replies)


async def test_a_sending_process_killed_half_way_resumes_and_sends_nothing_twice(
    database: Database, database_url: str, fake: FakeBotApi, tmp_path: Path
):
    # 1,000 residents on PostgreSQL, the production database; 400 on SQLite. The
    # send runs at Telegram's pace (30 a second, measured 30.0), so 1,000 take
    # about 45 s of which 33 s of pace: on both databases it would add 45 s.
    residents = 1000 if database.backend == "postgresql" else 400
    await _telegram_residents(database, database_url, residents)
    follow_up, _ = await FollowUps(database, TeamMessages(database)).create(
        "mobilite", TEXTS, "organizer-1", NOW
    )
    fake.enforce_flood_wait = True
    fake.fail_next(3, 429, retry_after=1)
    command = ["followups", "send", str(follow_up.id), "--per-second", "30"]

    first = await _consultbot(command, database_url, fake, tmp_path)
    await fake.wait_for(lambda: len(fake.sent) >= residents // 2, within=120)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    killed_at = len(fake.sent)
    assert killed_at < residents

    second = await _consultbot(command, database_url, fake, tmp_path)
    out, err = await second.communicate()
    assert second.returncode == 0, err.decode()

    received = Counter(message["chat"]["id"] for message in fake.sent)
    assert max(received.values()) == 1  # nobody got it twice
    # At most the one copy in flight when the process died is lost (it was
    # claimed, so it counts as delivered): never sent twice is the promise.
    assert len(received) >= residents - 1
    assert fake.too_early == 0
    # 30 a second, evenly spaced: at most one more in a second from timer jitter.
    assert _most_in_one_second(fake.sent_at) <= 31
    assert "delivered" in out.decode()
    async with database.transaction() as s:
        progress = await follow_ups.progress(s, follow_up.id)
    assert (progress.delivered, progress.waiting) == (residents, 0)


async def _consultbot(
    command: list[str], database_url: str, fake: FakeBotApi, cwd: Path
) -> asyncio.subprocess.Process:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CONSULTBOT_")}
    env.update(
        PYTHONPATH=str(ROOT),
        CONSULTBOT_DATABASE_URL=database_url,
        CONSULTBOT_SECRET_KEY=SECRET,
        CONSULTBOT_TELEGRAM__BOT_TOKEN=TOKEN,
        CONSULTBOT_TELEGRAM__API_BASE_URL=fake.base_url,
    )
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *command,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def _most_in_one_second(times: list[float]) -> int:
    """The most messages sent within any one second."""
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def test_a_resident_asks_for_the_follow_ups_gets_one_and_stops_them(
    open_service: ServiceFactory, clock: Clock, tmp_path: Path
):
    service = await open_service()
    asking = tmp_path / "mobilite.yml"
    asking.write_text(
        (BUNDLED_FLOWS / "mobilite.yml").read_text(encoding="utf-8") + "\nfollow_up: true\n",
        encoding="utf-8",
    )
    await deploy_file(service.database, asking, now=clock(), deployed_by="t")

    async def say(text: str) -> list[str]:
        clock.advance(seconds=5)
        found = await service.handle(
            InboundMessage("rest", "camille", text, f"m{clock().timestamp()}", clock())
        )
        return [reply.text for reply in found]

    for text in ["bonjour", "oui", "train", "4", "45000"]:
        await say(text)
    last = await say("Plus de trains le soir")
    assert last[-1] == "Voulez-vous être informé(e) ici des suites données à cette consultation ?"
    assert "vous recevrez ici les suites" in (await say("oui"))[0]
    async with service.database.transaction() as s:
        resident = await participants.find(s, "rest", service.pseudonym("rest", "camille"))
        assert resident is not None
        assert await follow_ups.wanted(s, resident.id) == ["mobilite"]
    sender = FollowUps(service.database, TeamMessages(service.database))
    follow_up, _ = await sender.create("mobilite", TEXTS, "organizer-1", clock())
    assert await sender.release(follow_up.id, "organizer-1", clock()) == 1
    news = await say("stop")
    assert TEXTS["fr"] in news[0]  # the follow-up first, then the answer to "stop"
    assert "ne recevrez plus" in news[-1]
    async with service.database.transaction() as s:
        assert await follow_ups.wanted(s, resident.id) == []


async def test_a_send_cut_short_by_a_restart_goes_on_when_serve_starts_again(
    database: Database, database_url: str, fake: FakeBotApi
):
    await _telegram_residents(database, database_url, 3)
    service = FollowUps(database, TeamMessages(database))
    asked, _ = await service.create("mobilite", TEXTS, "organizer-1", NOW)
    draft, _ = await service.create("mobilite", {"fr": "Brouillon", "en": "Draft"}, "o-1", NOW)
    # "Send now" was pressed (the copies queued); then serve stopped before handing them out.
    await service.release(asked.id, "olga@region.fr", NOW)
    settings = settings_for(
        database_url, telegram__bot_token=TOKEN, telegram__api_base_url=fake.base_url
    )
    async with running(settings):  # nobody presses anything
        await fake.wait_for(lambda: len(fake.sent) >= 3, within=60)
        await asyncio.sleep(1)
    received = Counter(message["chat"]["id"] for message in fake.sent)
    assert sorted(received) == [CHAT_IDS + n for n in range(3)]
    assert set(received.values()) == {1}
    assert all(TEXTS["fr"] in message["text"] for message in fake.sent)  # not the draft
    async with database.transaction() as s:
        assert (await follow_ups.progress(s, draft.id)).total == 0  # never sent: no copy
