"""The conversation service end to end on a real database: what a resident
says, what is stored, and what is not."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from bot.button_steps import read as read_button
from bot.channel_contract import Unavailable
from bot.client import Client
from storage import answers, audit, outbox, participants, sessions, transcripts
from storage.models import SessionStatus
from tests.conftest import (
    admin_connection,
    set_connections_allowed,
    set_database_setting,
    set_read_only,
)
from tests.serving import DEMO


def refusals_logged(caplog, number: int, says: str = "", unsaid: tuple[str, ...] = ()) -> None:
    """Each refused message left one log line saying why: `says`, with no
    traceback and none of the `unsaid` texts the residents wrote."""
    logged = [r for r in caplog.records if "not handled" in r.getMessage()]
    assert len(logged) == number
    for record in logged:
        line = record.getMessage()
        assert says in line
        assert not any(text in line for text in unsaid)
        assert record.exc_info is None


async def taken_once_it_can(service, client, lines: int) -> None:
    """Nothing of the refused messages was kept, and Alice's answer, sent
    again, is taken."""
    assert await count(service, "answers") == 0
    assert await count(service, "transcript_lines") == lines
    replies = await client.send("alice", "train")
    assert "1 à 5" in replies[-1].text


async def alice_at_her_first_question(open_service, clock, **options):
    """The service (opened with `options`), a client, and Alice enrolled and
    asked her first question, with the number of transcript lines so far."""
    service = await open_service(**options)
    client = Client(service, now=clock)
    await client.converse("alice", "bonjour", "oui")
    return service, client, await count(service, "transcript_lines")


async def count(service, table: str) -> int:
    async with service.database.transaction() as s:
        return int(await s.scalar(text(f"SELECT count(*) FROM {table}")))


async def only_session(service, channel="client", user="alice"):
    async with service.database.transaction() as s:
        found = await participants.find(s, channel, service.pseudonym(channel, user))
        assert found is not None
        return found, await sessions.latest(s, found.id)


async def current_answers(service, user="alice"):
    _, stored = await only_session(service, user=user)
    async with service.database.transaction() as s:
        return {a.question_id: a for a in await answers.current(s, stored.id)}


async def test_a_resident_completes_the_demo_consultation(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    replies = await client.converse("alice", *DEMO)
    assert "Acceptez-vous" in replies[0][-1].text
    payloads = [read_button(b.payload)[0] for b in replies[1][-1].buttons]
    assert payloads == ["car", "train", "bus", "bike", "walk"]
    assert replies[-1][-1].text.startswith("Merci")

    participant, stored = await only_session(service)
    assert participant.consented_at == clock.now
    assert stored.status == SessionStatus.COMPLETED
    async with service.database.transaction() as s:
        current = {a.question_id: a for a in await answers.current(s, stored.id)}
        lines = await transcripts.for_session(s, stored.id)
        events = await outbox.pending(s, now=clock.now, limit=10)
    assert {q: a.value for q, a in current.items()} == {
        "mode": "train",
        "satisfaction": 4,
        "postal_code": "45000",
        "proposal": "Plus de trains le soir entre Orléans et Tours",
    }
    assert current["mode"].question_text == "Comment vous déplacez-vous le plus souvent ?"
    assert current["mode"].raw_text == "train"
    assert current["proposal"].moderation_status == "pending"
    assert current["mode"].moderation_status is None
    # The transcript shows what they agreed to, then every exchange from consent on.
    assert "Acceptez-vous" in lines[0].text
    said = [line.text for line in lines if line.direction == "in"]
    assert said == list(DEMO[1:])
    assert lines[-1].text.startswith("Merci")
    events = [e for e in events if e.type != "consultation.deployed"]
    assert [e.type for e in events] == ["contribution.completed"]
    contributed = {a["question"]: a["value"] for a in events[0].payload["answers"]}
    assert contributed == {"mode": "train", "satisfaction": 4, "postal_code": "45000"}
    assert events[0].payload["consultation"] == "mobilite"


async def test_nothing_is_stored_before_consent(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.send("bob", "bonjour")
    await client.send("bob", "c'est quoi ?")
    refused = await client.send("bob", "non")
    assert [reply.text for reply in refused] == [
        "Entendu, je n'ai rien enregistré. Si vous changez d'avis, écrivez-moi à tout moment."
    ]
    for table in ("participants", "sessions", "transcript_lines", "answers", "processed_inbound"):
        assert await count(service, table) == 0, table


async def test_the_platform_user_id_is_never_stored_in_clear(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    user = "telegram-user-987654321"
    await client.converse(user, *DEMO)
    async with service.database.transaction() as s:
        for table in ("participants", "sessions", "transcript_lines", "answers", "outbox_events"):
            rows = (await s.execute(text(f"SELECT * FROM {table}"))).all()
            assert rows
            assert "987654321" not in repr(rows), table


async def test_a_restart_of_the_server_loses_nothing(open_service, clock):
    first = await open_service()
    await Client(first, now=clock).converse("alice", "bonjour", "oui", "bus")
    await first.close()
    second = await open_service()
    replies = await Client(second, now=clock).send("alice", "5")
    assert "code postal" in replies[-1].text
    _, stored = await only_session(second)
    async with second.database.transaction() as s:
        values = {a.question_id: a.value for a in await answers.current(s, stored.id)}
    assert values == {"mode": "bus", "satisfaction": 5}


async def test_back_replaces_the_previous_answer(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("alice", "bonjour", "oui", "bus")
    replies = await client.send("alice", "retour")
    assert "déplacez-vous" in replies[-1].text
    await client.send("alice", "vélo")
    _, stored = await only_session(service)
    async with service.database.transaction() as s:
        current = {a.question_id: a.value for a in await answers.current(s, stored.id)}
        every = [(a.question_id, a.value) for a in await answers.history(s, stored.id)]
    assert current == {"mode": "bike"}
    assert ("mode", "bus") in every  # kept for the record, superseded


async def test_answers_after_going_back_and_starting_over_are_the_only_current_ones(
    open_service, clock
):
    # A first answer stores without looking for one to supersede (the engine
    # says none was given); a second, after "retour" or "recommencer", replaces.
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("alice", "bonjour", "oui", "bus", "4", "retour", "2")
    await client.converse("alice", "recommencer", "train", "5", "retour", "3")
    _, stored = await only_session(service)
    async with service.database.transaction() as s:
        current = {a.question_id: a.value for a in await answers.current(s, stored.id)}
        every = [(a.question_id, a.value) for a in await answers.history(s, stored.id)]
    assert current == {"mode": "train", "satisfaction": 3}
    assert every == [
        ("mode", "bus"),
        ("satisfaction", 4),
        ("satisfaction", 2),
        ("mode", "train"),
        ("satisfaction", 5),
        ("satisfaction", 3),
    ]


async def test_delete_my_data_erases_everything_after_confirmation(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("alice", "bonjour", "oui", "bus", "3")
    asked = await client.send("alice", "supprimer mes données")
    assert asked[-1].buttons  # a confirmation is asked first
    assert await count(service, "answers") == 2
    await client.send("alice", "oui")
    for table in ("participants", "sessions", "transcript_lines", "answers", "processed_inbound"):
        assert await count(service, table) == 0, table
    async with service.database.transaction() as s:
        records = await audit.recent(s, limit=5)
    assert any(r.counts["answers_deleted"] == 2 for r in records)


async def test_deletion_can_keep_answers_anonymised(open_service, clock):
    service = await open_service(privacy__keep_anonymised_answers_on_delete="true")
    client = Client(service, now=clock)
    await client.converse("alice", "bonjour", "oui", "bus", "3", "supprimer mes données", "oui")
    assert await count(service, "participants") == 0
    assert await count(service, "transcript_lines") == 0
    async with service.database.transaction() as s:
        rows = (await s.execute(text("SELECT question_id, value FROM answers"))).all()
        orphans = await s.scalar(text("SELECT count(*) FROM sessions WHERE participant_id IS NULL"))
    assert sorted(r.question_id for r in rows) == ["mode", "satisfaction"]
    assert orphans == 1


async def test_a_returning_resident_after_expiry_may_resume(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("alice", "bonjour", "oui", "bus")
    clock.advance(days=8)
    offer = await client.send("alice", "coucou")
    assert [button.title for button in offer[-1].buttons] == ["Reprendre", "Recommencer"]
    resumed = await client.send("alice", offer[-1].buttons[0].payload)
    assert resumed[-1].text.startswith("De 1 à 5, êtes-vous satisfait")
    assert [button.title for button in resumed[-1].buttons] == ["1", "2", "3", "4", "5"]
    async with service.database.transaction() as s:
        found = await participants.find(s, "client", service.pseudonym("client", "alice"))
        assert found is not None
        kept = await answers.current(s, (await sessions.latest(s, found.id)).id)
    assert {a.question_id: a.value for a in kept} == {"mode": "bus"}  # resumed, not restarted


async def test_sessions_stay_on_the_version_they_started(open_service, clock, tmp_path):
    from bot.deployment import BUNDLED_FLOWS, deploy_file

    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("alice", "bonjour", "oui")
    changed = tmp_path / "mobilite.yml"
    original = (BUNDLED_FLOWS / "mobilite.yml").read_text(encoding="utf-8")
    changed.write_text(
        original.replace("Comment vous déplacez-vous le plus souvent ?", "Votre mode principal ?"),
        encoding="utf-8",
    )
    result = await deploy_file(service.database, changed, now=clock.now)
    assert (result.version, result.changed) == (2, True)
    old = await client.send("alice", "train")
    assert "satisf" in old[-1].text
    newcomer = await client.converse("carol", "bonjour", "oui")
    assert "Votre mode principal ?" in newcomer[-1][-1].text


async def test_many_residents_at_once_and_one_resident_twice_at_once(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)

    async def resident(name: str) -> str:
        replies = await client.converse(name, *DEMO)
        return replies[-1][-1].text

    outros = await asyncio.gather(*(resident(f"r{i}") for i in range(20)))
    assert all(text.startswith("Merci") for text in outros)
    await client.converse("dave", "bonjour", "oui")
    # Two messages of one resident at the same moment are handled one after the other.
    await asyncio.gather(client.send("dave", "train"), client.send("dave", "4"))
    _, stored = await only_session(service, user="dave")
    async with service.database.transaction() as s:
        values = {a.question_id: a.value for a in await answers.current(s, stored.id)}
    assert values == {"mode": "train", "satisfaction": 4}


async def test_a_blocked_resident_is_marked_unreachable(open_service, clock):
    service = await open_service()
    await Client(service, now=clock).converse("alice", "bonjour", "oui")
    await service.mark_unreachable("client", "alice")
    participant, _ = await only_session(service)
    assert participant.reachable is False


async def test_closing_day_is_judged_in_the_regions_time(open_service, clock, tmp_path):
    import datetime as dt

    from bot.deployment import BUNDLED_FLOWS, deploy_file

    service = await open_service()
    closing = tmp_path / "mobilite.yml"
    original = (BUNDLED_FLOWS / "mobilite.yml").read_text(encoding="utf-8")
    closing.write_text(
        original.replace("languages: [fr, en]\n", "languages: [fr, en]\ncloses: 2026-11-30\n"),
        encoding="utf-8",
    )
    await deploy_file(service.database, closing, now=clock.now)
    client = Client(service, now=clock)
    clock.now = dt.datetime(2026, 11, 30, 22, 30, tzinfo=dt.UTC)  # 23:30 in Orléans
    assert "Acceptez-vous" in (await client.send("late", "bonjour"))[-1].text
    clock.now = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)  # past midnight there
    assert "Acceptez-vous" not in (await client.send("later", "bonjour"))[-1].text


async def test_a_resident_who_writes_again_is_reachable_again(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("alice", "bonjour", "oui")
    await service.mark_unreachable("client", "alice")
    await client.send("alice", "train")
    participant, _ = await only_session(service)
    assert participant.reachable is True


async def test_changing_language_asks_the_question_again_in_it(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("alice", "bonjour", "oui")
    replies = await service.change_language("client", "alice", "en", clock.now)
    assert "How do you usually travel?" in replies[-1].text
    replies = await client.send("alice", "by train")
    assert "From 1 to 5" in replies[-1].text
    assert (await current_answers(service))["mode"].language == "en"


async def test_a_language_chosen_before_consent_is_kept(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.send("bob", "bonjour")
    replies = await service.change_language("client", "bob", "en", clock.now)
    assert "Do you agree?" in replies[-1].text
    replies = await client.send("bob", "yes")
    assert "How do you usually travel?" in replies[-1].text


async def test_a_locked_database_asks_to_try_again_and_writes_nothing(
    open_service, clock, database_url, caplog
):
    import sqlite3

    if not database_url.startswith("sqlite"):
        pytest.skip("another process's write lock is a SQLite situation")
    service, client, lines = await alice_at_her_first_question(open_service, clock)
    other = sqlite3.connect(database_url.split(":///", 1)[1], isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        with pytest.raises(Unavailable) as refused:
            await client.send("alice", "train")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert "renvoyer" in refused.value.replies[0].text
    refusals_logged(caplog, 1, "locked", unsaid=("train",))
    await taken_once_it_can(service, client, lines)


async def test_a_read_only_postgresql_database_asks_to_try_again_and_says_why(
    open_service, clock, database_url, caplog
):
    """A standby, or a database set read-only: the resident is asked to send
    again, the log says why in one line, and writes resume once it is writable."""
    if not database_url.startswith("postgresql"):
        pytest.skip("a read-only SQLite file is tested by the readiness check")
    service, client, lines = await alice_at_her_first_question(open_service, clock)
    await set_read_only(database_url, True)
    try:
        for user, text in (("alice", "train"), ("bob", "bonjour")):  # enrolled, and not
            with pytest.raises(Unavailable) as refused:
                await client.send(user, text)
            assert "renvoyer" in refused.value.replies[0].text
    finally:
        await set_read_only(database_url, False)
    refusals_logged(caplog, 2, "takes no writes", unsaid=("train", "bonjour"))
    await taken_once_it_can(service, client, lines)


async def test_a_message_that_finds_every_connection_busy_asks_to_try_again(
    open_service, clock, database_url, caplog
):
    """Slow queries hold the connections: a message waits `pool_timeout`, then
    the resident is asked to send again and the log says why in one line."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no pool: its writers take turns on one connection")
    service, client, lines = await alice_at_her_first_question(
        open_service, clock, database_url=database_url + "?pool_size=1&pool_timeout=0.3"
    )
    held, release = asyncio.Event(), asyncio.Event()

    async def slow_query() -> None:  # holds the one connection messages have
        async with service.database.transaction(optimistic=True):
            held.set()
            await release.wait()

    holder = asyncio.create_task(slow_query())
    await held.wait()
    try:
        with pytest.raises(Unavailable) as refused:
            await client.send("alice", "train")
    finally:
        release.set()
        await holder
    assert "renvoyer" in refused.value.replies[0].text
    refusals_logged(caplog, 1, "came free in time", unsaid=("train",))
    await taken_once_it_can(service, client, lines)


async def test_a_database_closed_to_connections_asks_to_try_again_and_says_why(
    open_service, clock, database_url, caplog
):
    """`ALTER DATABASE ... ALLOW_CONNECTIONS false` (maintenance): the resident
    is asked to send again and the log says why in one line, not a traceback."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's ALLOW_CONNECTIONS")
    service, client, lines = await alice_at_her_first_question(open_service, clock)
    await set_connections_allowed(database_url, False)
    try:
        with pytest.raises(Unavailable) as refused:
            await client.send("alice", "train")
    finally:
        await set_connections_allowed(database_url, True)
    assert "renvoyer" in refused.value.replies[0].text
    refusals_logged(caplog, 1, "takes no connections", unsaid=("train",))
    await taken_once_it_can(service, client, lines)


@pytest.mark.parametrize(
    ("limit", "says"),
    [
        ("statement_timeout", "ran longer than its statement_timeout"),
        ("lock_timeout", "longer than its lock_timeout"),
    ],
)
async def test_a_statement_past_the_databases_time_limit_is_refused_at_once(
    open_service, clock, database_url, caplog, limit, says
):
    """A limit set on the database (statement_timeout, lock_timeout) and a lock
    held elsewhere longer than it: the resident is asked to send again, the log
    says which limit in one line, and the answer is taken once the lock is gone."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's own time limits")
    service, client, lines = await alice_at_her_first_question(open_service, clock)
    await set_database_setting(database_url, limit, "300ms")
    holder = await admin_connection(database_url)
    try:
        await holder.execute("BEGIN; SELECT id FROM sessions FOR UPDATE")  # e.g. a slow job
        with pytest.raises(Unavailable) as refused:
            await client.send("alice", "train")
    finally:
        await holder.close()  # its transaction ends with it
        await set_database_setting(database_url, limit, None)
    assert "renvoyer" in refused.value.replies[0].text
    refusals_logged(caplog, 1, says, unsaid=("train",))
    await taken_once_it_can(service, client, lines)


async def test_a_resident_who_says_hello_is_answered_in_english(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    replies = await client.converse("carol", "Hello!", "yes", "by train")
    assert "Do you agree?" in replies[0][-1].text
    assert "How do you usually travel?" in replies[1][-1].text
    assert "From 1 to 5" in replies[2][-1].text
    assert (await current_answers(service, user="carol"))["mode"].language == "en"


async def test_a_language_the_channel_gives_outweighs_the_greeting(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    replies = await client.send("dave", "hello", language="fr")
    assert "Acceptez-vous" in replies[-1].text


async def test_a_greeting_in_the_middle_changes_no_language(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("erin", "bonjour", "oui")
    replies = await client.send("erin", "hello")
    assert "Comment vous déplacez-vous" in replies[-1].text


async def test_a_nul_in_a_message_is_dropped_and_the_rest_is_stored(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("nul", "bonjour", "oui", "train", "4", "45000")
    replies = await client.send("nul", "avant\x00apres")
    assert replies[-1].text.startswith("Merci")
    assert (await current_answers(service, user="nul"))["proposal"].value == "avantapres"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite: one writer
async def test_a_message_another_process_handles_meanwhile_is_answered_once(
    open_service, clock, monkeypatch
):
    """One message delivered to two processes at once: the first opens it with
    nothing begun, the second handles it whole meanwhile; the first's write then
    fails whole and it is handled again in a transaction, as a redelivery: the
    same replies, one answer, one line in the transcript."""
    import contextvars

    from bot import conversation
    from bot.channel_contract import InboundMessage

    here, there = await open_service(), await open_service()  # two processes
    await Client(here, now=clock).converse("alice", "bonjour", "oui", "train")
    opened, go_on = asyncio.Event(), asyncio.Event()
    paused = contextvars.ContextVar("paused", default=False)
    real = conversation.message_open.open_message

    async def open_then_wait(*args, **kwargs):
        found = await real(*args, **kwargs)
        if paused.get():
            paused.set(False)  # once: not in the attempt that follows
            opened.set()
            await go_on.wait()
        return found

    monkeypatch.setattr(conversation.message_open, "open_message", open_then_wait)
    clock.advance(seconds=1)
    message = InboundMessage("client", "alice", "4", "update-7", clock.now)

    async def first() -> list:
        paused.set(True)
        return await here.handle(message)

    first_replies = asyncio.create_task(first(), context=contextvars.Context())
    await opened.wait()
    replies_there = await there.handle(message)
    go_on.set()
    assert await first_replies == replies_there
    assert "code postal" in replies_there[-1].text
    _, stored = await only_session(here)
    async with here.database.read() as s:
        current = {a.question_id: a.value for a in await answers.current(s, stored.id)}
        said = [
            line.text
            for line in await transcripts.for_session(s, stored.id)
            if line.direction == "in"
        ]
        claims = await s.scalar(
            text("SELECT count(*) FROM processed_inbound WHERE message_id = 'update-7'")
        )
    assert current == {"mode": "train", "satisfaction": 4}
    assert said == ["oui", "train", "4"]
    assert claims == 1
