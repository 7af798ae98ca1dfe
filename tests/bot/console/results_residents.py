"""Residents who take the demo consultation (mobilite) through the real
conversation service, for the results tests: who they are, what they answer.

- 7 by train, from a poster (source tag gare-tours), in 45, satisfied (4);
  their proposals are approved by a moderator;
- 5 by car, on the web chat, in 37 (Tours), not satisfied (2);
- 5 who say bus, then stop there (they left at the satisfaction question),
  a day later;
- 2 on foot, in 18, two days later;
- 2 who refuse consent (never counted).

Each message comes 30 seconds after the previous one: every resident takes
4 minutes from consent to completion.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.channel_contract import Conversations
from bot.client import Client
from storage import moderation
from storage.database import Database
from storage.models import AnswerRow

START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
TRAIN_TEXTS = (
    "Plus de trains le soir entre Orléans et Tours",
    "Des trains plus fréquents le soir et le week-end",
    "Des vélos dans les trains régionaux",
    "Les trains du matin sont toujours en retard",
    "Un abonnement train moins cher pour les jeunes",
    "Des trains directs vers Paris le soir",
    '=HYPERLINK("http://evil.example","clic") trains',
)


class Ticking:
    """A clock that moves 30 seconds at each message."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=30)
        return self.now


async def fill(conversations: Conversations) -> None:
    clock = Ticking(START)
    client = Client(conversations, now=clock)
    web = Client(conversations, channel="web", now=clock)
    for i, text in enumerate(TRAIN_TEXTS):
        user = f"train{i}"
        await client.send(user, "bonjour", source="gare-tours")
        await client.converse(user, "oui", "train", "4", "45000", text)
    for i in range(5):
        await web.converse(
            f"car{i}", "bonjour", "oui", "voiture", "2", "37000", "Moins de bouchons"
        )
    clock.now += dt.timedelta(days=1)
    for i in range(5):
        await client.converse(f"bus{i}", "bonjour", "oui", "bus")
    clock.now += dt.timedelta(days=1)
    for i in range(2):
        await client.converse(f"walk{i}", "bonjour", "oui", "à pied", "3", "18000", "Des trottoirs")
    for i in range(2):
        await client.converse(f"no{i}", "bonjour", "non")


async def approve_train_texts(database: Database) -> None:
    """A moderator approves the proposals of the residents who came by train."""
    async with database.transaction() as s:
        rows = (
            await s.execute(
                select(AnswerRow.id, AnswerRow.raw_text).where(AnswerRow.question_id == "proposal")
            )
        ).all()
        for answer_id, raw in rows:
            if raw in TRAIN_TEXTS:
                await moderation.approve(
                    s, answer_id, by="moderator@region.example", now=START + dt.timedelta(days=3)
                )
