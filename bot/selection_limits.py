"""How many choices at most the multiple choice a resident sees takes.

Asked by a channel whose residents tick boxes one at a time before confirming
(Telegram), so that the tick beyond the maximum is refused at once instead of the
whole answer when they confirm. Only the question shown at the step a keyboard
carries (`bot.button_steps`) counts: the keyboard of a question answered since
gets no limit (its confirmation is refused as outdated anyway).
"""

from __future__ import annotations

from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession

from bot.button_steps import step_of
from bot.flow_catalog import FlowCatalog
from flows.state import SessionState
from storage import participants, sessions
from storage.database import Database


async def max_selections(
    database: Database, catalog: FlowCatalog, channel: str, user_hash: str, shown_at: str
) -> int | None:
    """The `max_selections` of the multiple choice the resident is asked at step
    `shown_at`; None when it has none, or when they are at another step."""

    async def work(session: AsyncSession) -> int | None:
        participant = await participants.find(session, channel, user_hash)
        stored = await sessions.find_open(session, participant.id) if participant else None
        if stored is None:
            return None
        state = SessionState.from_json(cast(dict[str, object], stored.state))
        if step_of(stored.id, state) != shown_at:
            return None
        flow = (await catalog.version(session, stored.flow_version_id)).flow
        question = flow.find(state.question_id)
        if question is None or question.type != "multi_choice":
            return None
        return question.max_selections

    return await catalog.within(database, work, read_only=True)
