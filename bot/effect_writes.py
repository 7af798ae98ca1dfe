"""What the effects of one message's transition write, in its transaction:
answers (with an "other" choice's detail and a closed answer's comment beside
them, for moderators), the answers withdrawn or skipped superseded, the
follow-up opt-in given or revoked, and the contribution of a completed
conversation (which reaches the consultation engine through the outbox).

The conversation service (bot.conversation) reads, advances the engine and
writes the session and transcript; this is the part in between."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.contributions import ContributionRecorder
from bot.flow_catalog import DeployedFlow
from bot.records import as_json, holds_personal_data, plain_value
from flows.effects import (
    AnswerRecorded,
    AnswerSkipped,
    AnswerWithdrawn,
    Completed,
    Effect,
    FollowUpChosen,
    comment_id,
    detail_id,
)
from flows.model import COMMENTED_TYPES
from flows.state import SessionState
from storage import answers, follow_ups


@dataclass(frozen=True, slots=True)
class Written:
    """Whose conversation the effects belong to, and when."""

    deployed: DeployedFlow
    session_id: int
    participant_id: int | None
    user_hash: str
    channel: str
    now: dt.datetime


class EffectWrites:
    def __init__(self, contributions: ContributionRecorder) -> None:
        self._contributions = contributions

    async def apply(
        self,
        session: AsyncSession,
        written: Written,
        effects: Sequence[Effect],
        state: SessionState | None,
    ) -> None:
        for effect in effects:
            if isinstance(effect, AnswerRecorded):
                await _answer(session, written, effect)
            elif isinstance(effect, AnswerSkipped | AnswerWithdrawn):
                await answers.supersede(
                    session,
                    written.session_id,
                    now=written.now,
                    question_ids=[
                        effect.question_id,
                        detail_id(effect.question_id),
                        comment_id(effect.question_id),
                    ],
                )
            elif isinstance(effect, FollowUpChosen) and written.participant_id is not None:
                await _follow_up_chosen(session, written, written.participant_id, effect.wanted)
            elif isinstance(effect, Completed) and state is not None:
                await self._contributions.record(
                    session,
                    written.deployed,
                    session_id=written.session_id,
                    participant_id=written.participant_id,
                    user_hash=written.user_hash,
                    channel=written.channel,
                    language=state.language,
                    partial=False,
                    now=written.now,
                )


async def _answer(session: AsyncSession, written: Written, effect: AnswerRecorded) -> None:
    question = written.deployed.flow.question(effect.question_id)
    free_text = question.type == "free_text"
    await answers.add(
        session,
        written.session_id,
        effect.question_id,
        as_json(plain_value(effect.value)),
        question_text=effect.wording,
        language=effect.language,
        now=written.now,
        raw_text=effect.raw_text,
        needs_moderation=free_text,
        personal_data=holds_personal_data(effect.raw_text) if free_text else None,
        replaces=effect.replaces,
    )
    if question.other_choice() is not None:
        detail = (detail_id(effect.question_id), effect.detail)
        await _beside(session, written, effect, detail)
    if question.type in COMMENTED_TYPES and (effect.comment or effect.drops_comment):
        comment = (comment_id(effect.question_id), effect.comment)
        await _beside(session, written, effect, comment)


async def _beside(
    session: AsyncSession,
    written: Written,
    effect: AnswerRecorded,
    beside: tuple[str, str | None],
) -> None:
    """An "other" choice's detail or a closed answer's comment (`beside`: its
    row id and text): free text beside its answer, for moderators; an answer
    without one replaces any given before."""
    row_id, text = beside
    if text is None:
        await answers.supersede(session, written.session_id, now=written.now, question_ids=[row_id])
        return
    await answers.add(
        session,
        written.session_id,
        row_id,
        text,
        question_text=effect.wording,
        language=effect.language,
        now=written.now,
        raw_text=text,
        needs_moderation=True,
    )


async def _follow_up_chosen(
    session: AsyncSession, written: Written, participant_id: int, wanted: bool
) -> None:
    consultation = written.deployed.consultation_id
    if wanted:
        await follow_ups.give(session, participant_id, consultation, now=written.now)
    else:
        await follow_ups.revoke(
            session, participant_id, now=written.now, consultation_id=consultation
        )
