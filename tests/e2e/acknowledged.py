"""What a REST client was told, against what the database kept.

A `Ledger` records, per resident, every message the server acknowledged (HTTP
200 with its replies) and every "please send again" (503 with Retry-After).
A client sends a message until it is acknowledged, with the same message id,
after a lost connection or a 503, as the REST channel allows. `kept` reads the
residents' words back from the database, per resident, in order;
`check_nothing_lost` asserts that every acknowledged word is there, in order,
once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import aiohttp
from sqlalchemy import text

from bot.keys import Keys
from bot.pseudonyms import Pseudonymizer
from storage.database import Database
from tests.serving import DEMO

WEBHOOK = "/webhooks/rest/webhook"
KEPT_FROM = 1  # "bonjour" comes before consent: not kept


@dataclass
class Ledger:
    acknowledged: dict[str, list[str]] = field(default_factory=dict)
    send_again: list[str] = field(default_factory=list)  # the texts of the 503s
    lost_connections: int = 0

    @property
    def count(self) -> int:
        return sum(len(words) for words in self.acknowledged.values())


async def send(
    http: aiohttp.ClientSession, url: str, body: dict[str, str], ledger: Ledger
) -> list[dict[str, str]]:
    """The replies to one message, sent until acknowledged (bounded by the caller)."""
    while True:
        try:
            async with http.post(url + WEBHOOK, json=body) as response:
                if response.status == 200:
                    replies: list[dict[str, str]] = await response.json()
                    ledger.acknowledged.setdefault(body["sender"], []).append(body["message"])
                    return replies
                assert response.status == 503, await response.text()
                assert int(response.headers["Retry-After"]) >= 1
                answer = await response.json()
                # The REST list of replies ("try again"), or {"error": ...} while draining.
                said = answer[0]["text"] if isinstance(answer, list) else answer["message"]
                ledger.send_again.append(said)
        except aiohttp.ClientConnectionError:
            ledger.lost_connections += 1
        await asyncio.sleep(0.1)


async def resident(
    http: aiohttp.ClientSession, name: str, url: str, ledger: Ledger, pause: float = 0.0
) -> str:
    """The demo conversation to the end; its last reply."""
    last = ""
    for number, message in enumerate(DEMO):
        body = {"sender": name, "message": message, "message_id": f"{name}-{number}"}
        last = (await send(http, url, body, ledger))[-1]["text"]
        await asyncio.sleep(pause)
    return last


async def kept(database_url: str, secret_key: str, names: list[str]) -> dict[str, list[str]]:
    """Each REST resident's words as stored, in the order they were said."""
    pseudonyms = Pseudonymizer(Keys(secret_key.encode()))
    named = {pseudonyms.pseudonym("rest", name): name for name in names}
    database = await Database.connect(database_url)
    try:
        async with database.read() as session:
            rows = (
                await session.execute(
                    text(
                        "SELECT p.user_hash, t.text FROM transcript_lines t "
                        "JOIN sessions s ON s.id = t.session_id "
                        "JOIN participants p ON p.id = s.participant_id "
                        "WHERE t.direction = 'in' ORDER BY t.id"
                    )
                )
            ).all()
    finally:
        await database.close()
    words: dict[str, list[str]] = {name: [] for name in names}
    for user_hash, said in rows:
        if user_hash in named:
            words[named[user_hash]].append(said)
    return words


def check_nothing_lost(ledger: Ledger, stored: dict[str, list[str]]) -> None:
    for name, acknowledged in ledger.acknowledged.items():
        expected = acknowledged[KEPT_FROM:]
        assert stored[name][: len(expected)] == expected, (name, acknowledged, stored[name])
        # Every resident went on to the end: each word kept once, in order.
        assert stored[name] == list(DEMO[KEPT_FROM:]), (name, stored[name])
