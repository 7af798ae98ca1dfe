"""Round trips to PostgreSQL per resident message: each statement, BEGIN and
COMMIT is one (asyncpg waits for the server's answer to each). The common case
is a resident answering the question asked, with a platform message id.

The issue's target is 2 (read and lock; write and commit); today's path takes
11: BEGIN, the participant locked, the dedupe claim, the session locked, the
team's waiting messages, the session written, the answer superseded and
inserted, the transcript, the replies kept for redeliveries, COMMIT."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from bot.channel_contract import InboundMessage
from bot.client import Client

ONLY_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


class Counter:
    def __init__(self) -> None:
        self.queries: list[str] = []


def count_queries(service: Any) -> Counter:
    counter = Counter()
    engine = service.database.engine.sync_engine

    def statement(_c: Any, _cursor: Any, sql: str, *_: Any) -> None:
        counter.queries.append(sql)

    event.listen(engine, "before_cursor_execute", statement)
    for name in ("begin", "commit", "rollback"):
        event.listen(engine, name, lambda _c, name=name: counter.queries.append(name.upper()))
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
    assert per_message <= 11, counter.queries
