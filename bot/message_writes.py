"""What a consented resident's message writes once the engine has advanced, in
its transaction: the session's state (their first session, as they consent),
the effects (bot.effect_writes), a request for a person noted for the team,
the transcript, and the replies kept for redeliveries.

The conversation service (bot.conversation) opens the message, understands
it and advances the engine; this is its last part, for someone enrolled."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot import redeliveries
from bot.button_steps import stamp, step_of
from bot.effect_writes import EffectWrites, Written
from bot.message_context import MessageContext
from bot.places import resident_departement
from bot.records import as_json, interpretation_json, transcript_reply
from bot.team_messages import note_human_request
from flows import engine
from flows.prompts import consent_question
from flows.replies import Reply
from flows.state import SessionState, Status
from nlu import Interpretation
from storage import sessions, transcripts
from storage.inbound import InboundClaim
from storage.models import Direction, SessionStatus
from storage.transcripts import TranscriptLine

_STATUS: dict[Status, SessionStatus] = {
    "asking": SessionStatus.ACTIVE,
    "reviewing": SessionStatus.ACTIVE,
    "confirming_delete": SessionStatus.ACTIVE,
    "paused": SessionStatus.PAUSED,
    "completed": SessionStatus.COMPLETED,
    "closed": SessionStatus.ABANDONED,
}


class MessageWrites:
    def __init__(self, effects: EffectWrites) -> None:
        self._effects = effects

    async def store(
        self,
        session: AsyncSession,
        context: MessageContext,
        transition: engine.Transition,
        interpretation: Interpretation | None,
        said: tuple[Reply, ...],
        claim: InboundClaim | None,
        *,
        consented_in: str | None,
    ) -> list[Reply]:
        """Write what the message did: the session's state first (with nothing
        begun on PostgreSQL, its UPDATE guards the writes after it:
        storage.write_batch), the effects, the transcript (`said`: the bot's
        own words; `consented_in`: the language they were asked for consent
        in, when they consented now, None otherwise), the replies kept for
        redeliveries. The replies, stamped with their step."""
        message, now = context.message, context.message.received_at
        assert context.participant is not None
        session_id = await self._save(session, context, transition.state)
        written = Written(
            context.deployed,
            session_id,
            context.participant.id,
            context.user_hash,
            message.channel,
            now,
        )
        await self._effects.apply(session, written, transition.effects, transition.state)
        await note_human_request(
            session, session_id, context.state, interpretation, transition.effects, now
        )
        lines = _transcript(context, interpretation, said, consented_in)
        await transcripts.append(session, session_id, lines)
        replies = stamp(transition.replies, step_of(session_id, transition.state))
        if claim is not None:
            await redeliveries.keep_replies(session, message, context.user_hash, claim, replies)
        return replies

    async def _save(
        self, session: AsyncSession, context: MessageContext, state: SessionState | None
    ) -> int:
        assert context.participant is not None
        now = context.message.received_at
        if context.stored is None:
            assert state is not None  # consent was just given: the engine asks on
            created = await sessions.create(
                session,
                context.participant.id,
                context.deployed.version_id,
                as_json(state.to_json()),
                now=now,
                status=_STATUS[state.status],
                source=_source(context),
                departement=resident_departement(context.deployed.flow, state),
                first=context.new_participant,
            )
            return created.id
        if state is None:  # the engine let go of the conversation
            await sessions.save(session, context.stored.id, now=now, status=SessionStatus.ABANDONED)
        else:
            status = _STATUS[state.status]
            await sessions.save(
                session,
                context.stored.id,
                now=now,
                state=as_json(state.to_json()),
                # Written only when it changes (most messages leave it): SQLite
                # updates every index naming a column the UPDATE sets, whatever
                # its value, and the index of open sessions names the status.
                status=status if status != context.stored.status else None,
                human_requested=state.human_requested,
                departement=resident_departement(context.deployed.flow, state),
            )
        return context.stored.id


def _transcript(
    context: MessageContext,
    interpretation: Interpretation | None,
    replies: Sequence[Reply],
    consented_in: str | None,
) -> list[TranscriptLine]:
    message, now = context.message, context.message.received_at
    lines = []
    if consented_in is not None:  # what they agreed to, as they saw it
        asked = consent_question(context.deployed.flow, consented_in)
        lines.append(transcript_reply(asked, now))
    lines.append(
        TranscriptLine(
            direction=Direction.IN,
            text=message.text,
            at=now,
            platform_message_id=message.message_id,
            interpretation=as_json(interpretation_json(interpretation)),
        )
    )
    lines.extend(transcript_reply(reply, now) for reply in replies)
    return lines


def _source(context: MessageContext) -> str | None:
    """The source tag of the link they came by: this message's, or the one
    noted before they consented."""
    before = context.before
    return context.message.source or (before.source if before else None)
