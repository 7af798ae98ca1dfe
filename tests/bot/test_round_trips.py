"""Round trips to PostgreSQL per resident message: each statement, BEGIN and
COMMIT is one (asyncpg waits for the server's answer to each). The common case
is a resident answering the question asked, with a platform message id.

The issue's target is 2 (read the session; write and commit), and it takes 2:
the message is opened with no transaction begun, in one statement that locks
and claims nothing (storage.message_open), and every write goes in one
statement of its own, a transaction by itself, which claims the message id
with its replies and fails whole if the session changed meanwhile
(storage.write_batch). It took 11 until the writes nothing reads back were held
and sent together, 7 until what is read first was one PL/pgSQL function, then
4 (BEGIN, the function, the writes, COMMIT: asyncpg sends BEGIN and COMMIT as
queries of their own and pipelines nothing). A newcomer's messages take 2 as
well: that first statement also reads what is kept about someone not enrolled,
and their writes are guarded by their note's row version; the completing
message, which reads the answers it writes, begins its transaction when it
reads."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, func, select

from bot.channel_contract import InboundMessage
from bot.client import Client
from bot.deployment import DEMO_SCRIPT
from bot.simulation import read_script
from storage.models import InboundRow

ONLY_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


class Counter:
    def __init__(self) -> None:
        self.queries: list[str] = []


def count_queries(service: Any) -> Counter:
    """Every query sent to the server, each a round trip (asyncpg waits for the
    answer to each): what SQLAlchemy executes (it runs asyncpg's prepared
    statements, which asyncpg's query loggers do not see), and what asyncpg
    runs itself (BEGIN and COMMIT, and storage.prepared's statements on the
    driver directly), which its query loggers see."""
    counter = Counter()
    engine = service.database.engine.sync_engine

    def statement(_c: Any, _cursor: Any, sql: str, *_: Any) -> None:
        counter.queries.append(sql)

    def log(record: Any) -> None:
        counter.queries.append(record.query)

    def watch(dbapi_connection: Any, *_: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(log)  # a set: once each

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine.pool, "checkout", watch)
    if engine.pool._pre_ping:  # a ping at every checkout
        event.listen(engine.pool, "checkout", lambda *_: counter.queries.append("(ping)"))
    return counter


async def logged() -> None:
    """asyncpg calls its query loggers soon after each query, not at once: once
    the loop has run them, every query of the message is counted."""
    await asyncio.sleep(0)


@ONLY_POSTGRESQL
async def test_an_answer_costs_few_round_trips(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("alice", "bonjour", "oui", "train")  # flows read, statements prepared
    counter = count_queries(service)
    for n, text in enumerate(["4", "45000"]):  # a scale, a postal code; not the last question
        clock.advance(seconds=1)
        before = len(counter.queries)
        replies = await service.handle(
            InboundMessage("client", "alice", text, f"rt-{n}", clock.now)
        )
        assert replies, text
        await logged()
        sent = counter.queries[before:]
        print(f"\nround trips for {text!r}: {len(sent)}")
        for query in sent:
            print("  ", " ".join(query.split())[:150])
        assert len(sent) <= 2, sent
    async with service.database.read() as s:  # both written, the claims with their replies
        stored = await s.scalar(
            select(func.count())
            .select_from(InboundRow)
            .where(InboundRow.message_id.like("rt-%"), InboundRow.replies.is_not(None))
        )
    assert stored == 2


@ONLY_POSTGRESQL
async def test_a_whole_conversation_costs_few_round_trips(open_service, clock):
    """From a newcomer's first message to the contribution, 16 for the six
    (24 before a newcomer's messages were read and written with nothing begun;
    30 before the function read what is kept before consent and the
    consultation's live version, the consent message claimed its id with its
    writes, and the participant it creates took the writes held before along;
    34 before the common case took 2; 7.3 a message before the writes of the
    messages before consent and of the completing one were held, and the
    function locked newcomers itself). Every message but the completing one
    takes 2; that one reads the answers its contribution is made of, in a
    transaction begun then: BEGIN, its writes so far, the read, the rest of
    its writes, COMMIT."""
    service = await open_service()
    client = Client(service, now=clock)
    script = read_script(DEMO_SCRIPT)
    await client.converse("warm-up", *script)  # flows read, statements prepared
    counter = count_queries(service)
    sent = []
    for n, text in enumerate(script):
        clock.advance(seconds=1)
        before = len(counter.queries)
        replies = await service.handle(InboundMessage("client", "bob", text, f"rt-{n}", clock.now))
        assert replies, text
        await logged()
        sent.append(len(counter.queries) - before)
    assert replies[-1].text.startswith("Merci")  # completed: the contribution is written
    print(f"\nround trips of each message over a whole conversation: {sent}")
    assert sent[:-1] == [2] * (len(script) - 1), counter.queries  # "bonjour" and "oui" too
    assert sum(sent) <= 16, counter.queries
