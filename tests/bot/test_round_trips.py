"""Round trips to PostgreSQL per resident message: each statement, BEGIN and
COMMIT is one (asyncpg waits for the server's answer to each). The common case
is a resident answering the question asked, with a platform message id.

The issue's target is 2 (read and lock; write and commit); the path took 11
until the writes nothing reads back were held and sent together
(storage.write_batch), the participant's lock told whether the team has
messages waiting for them, and the dates set in the console came with the
session; then 7. It takes 4: BEGIN; the message opened (storage.message_open:
the participant locked and whether messages wait, the dedupe claim, the
session locked with the consultation's dates set in the console, in one
PL/pgSQL function, one round trip); every write in one statement (the session,
the answer superseded and its replacement ordered after it, the transcript,
the replies kept for redeliveries: storage.write_batch); COMMIT. BEGIN and
COMMIT stay round trips of their own: asyncpg sends each as a query of its
own and waits for it (it pipelines nothing), and only the simple query
protocol, which takes no parameters, carries several statements at once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from bot.channel_contract import InboundMessage
from bot.client import Client
from bot.deployment import DEMO_SCRIPT
from bot.simulation import read_script

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


@ONLY_POSTGRESQL
async def test_an_answer_costs_few_round_trips(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("alice", "bonjour", "oui", "train")  # flows read, statements prepared
    counter = count_queries(service)
    answers = ["4", "45000"]  # the last one, completing, writes the contribution too
    for n, text in enumerate(answers):
        clock.advance(seconds=1)
        replies = await service.handle(
            InboundMessage("client", "alice", text, f"rt-{n}", clock.now)
        )
        assert replies, text
    per_message = len(counter.queries) / len(answers)
    print(f"\nround trips per message: {per_message}")
    for query in counter.queries[: len(counter.queries) // len(answers)]:
        print("  ", " ".join(query.split())[:150])
    assert per_message <= 4, counter.queries


@ONLY_POSTGRESQL
async def test_a_whole_conversation_costs_few_round_trips(open_service, clock):
    """From a newcomer's first message to the contribution, 5.7 a message (34
    for the six; 7.3 before the writes of the messages before consent and of
    the completing one were held, and the function locked newcomers itself; 6
    before what was chosen before consent and the erasure receipt were read in
    one statement). The messages before consent read more than the common case
    (that statement, and the consultation's live version); the completing one
    reads the answers its contribution is made of."""
    service = await open_service()
    client = Client(service, now=clock)
    script = read_script(DEMO_SCRIPT)
    await client.converse("warm-up", *script)  # flows read, statements prepared
    counter = count_queries(service)
    for n, text in enumerate(script):
        clock.advance(seconds=1)
        replies = await service.handle(InboundMessage("client", "bob", text, f"rt-{n}", clock.now))
        assert replies, text
    assert replies[-1].text.startswith("Merci")  # completed: the contribution is written
    per_message = len(counter.queries) / len(script)
    print(f"\nround trips per message over a whole conversation: {per_message:.1f}")
    assert len(counter.queries) <= 34, counter.queries
