"""The conversation service: every channel hands it one `InboundMessage` and gets
the replies back, after everything the message caused is committed.

One transaction per message: drop a redelivered message (same replies as the
first time), load the participant and their session, interpret the text against
the question being asked, advance the pure engine, then write the effects, the
transcript, the new state and the replies together. The replies are returned
only after the commit: a resident who sees the next question knows the last
answer is stored.

Privacy: nothing is written before consent. Until then the conversation lives
in the message itself (the engine treats "no state" as "consent not given yet")
and in a small in-memory note of which consultation the resident chose.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.deployment import BUNDLED_FLOWS, deploy_initial
from bot.errors import ConfigError
from bot.flow_catalog import DeployedFlow, FlowCatalog
from bot.inbound import InboundMessage
from bot.participant_locks import ParticipantLocks
from bot.pseudonyms import Pseudonymizer, resolve_secret_key
from flows import engine
from flows.effects import (
    AnswerRecorded,
    AnswerSkipped,
    AnswerWithdrawn,
    Completed,
    ConsentGiven,
    DeletionConfirmed,
    Effect,
)
from flows.events import Event, Message, Returned, Start
from flows.prompts import consent_question
from flows.replies import Reply
from flows.state import SessionState, Status
from nlu import Answer, Command, Interpretation, Interpreter
from storage import answers, erasure, inbound, outbox, participants, sessions, transcripts
from storage.columns import JsonValue
from storage.database import Database
from storage.errors import StorageError
from storage.models import Direction, SessionStatus
from storage.participants import Participant
from storage.sessions import StoredSession
from storage.transcripts import TranscriptLine

log = logging.getLogger(__name__)

REGION_TIMEZONE = ZoneInfo("Europe/Paris")  # "demain" means tomorrow where residents live
PENDING_LIMIT = 10_000  # residents who chose a consultation but have not consented yet

_STATUS: dict[Status, SessionStatus] = {
    "asking": SessionStatus.ACTIVE,
    "confirming_delete": SessionStatus.ACTIVE,
    "paused": SessionStatus.PAUSED,
    "completed": SessionStatus.COMPLETED,
    "closed": SessionStatus.ABANDONED,
}


@dataclass(frozen=True, slots=True)
class _Pending:
    consultation_id: str
    language: str | None


@dataclass(slots=True)
class _Context:
    """What one message works on inside its transaction."""

    message: InboundMessage
    user_hash: str
    participant: Participant | None
    stored: StoredSession | None
    deployed: DeployedFlow
    state: SessionState | None
    returned: bool  # the session had expired: offer to resume before anything else


class ConversationService:
    def __init__(
        self,
        database: Database,
        interpreter: Interpreter,
        pseudonymizer: Pseudonymizer,
        settings: Settings,
    ) -> None:
        self._db = database
        self._interpreter = interpreter
        self._pseudonyms = pseudonymizer
        self._settings = settings
        self._catalog = FlowCatalog()
        self._locks = ParticipantLocks()
        self._pending: OrderedDict[str, _Pending] = OrderedDict()
        self._expire_after = dt.timedelta(days=settings.sessions.expire_after_days)

    @classmethod
    async def open(
        cls,
        settings: Settings,
        *,
        interpreter: Interpreter | None = None,
        now: Callable[[], dt.datetime] | None = None,
    ) -> ConversationService:
        """Connect and migrate the database, deploy the bundled flows on first
        start, build the interpreter. Raises ConfigError or StorageError."""
        pseudonymizer = Pseudonymizer(resolve_secret_key(settings))
        if interpreter is None:
            interpreter = build_interpreter(settings)
        database = await Database.connect(settings.database_url)
        try:
            await database.upgrade()
            folders = [BUNDLED_FLOWS, *([settings.flows_dir] if settings.flows_dir else [])]
            clock = now or (lambda: dt.datetime.now(dt.UTC))
            await deploy_initial(database, folders, now=clock())
        except BaseException:
            await database.close()
            raise
        return cls(database, interpreter, pseudonymizer, settings)

    @property
    def database(self) -> Database:
        return self._db

    async def close(self) -> None:
        await self._db.close()

    def pseudonym(self, channel: str, user_id: str) -> str:
        return self._pseudonyms.pseudonym(channel, user_id)

    async def handle(self, message: InboundMessage) -> list[Reply]:
        user_hash = self._pseudonyms.pseudonym(message.channel, message.user_id)
        async with self._locks.hold(f"{message.channel}:{user_hash}"):
            try:
                async with self._db.transaction() as session:
                    return await self._handle(session, message, user_hash)
            except StorageError:
                log.exception("message on %s not handled: storage failed", message.channel)
                return [Reply(_TRY_AGAIN.get(message.language or "", _TRY_AGAIN["fr"]))]

    async def mark_unreachable(self, channel: str, user_id: str) -> None:
        """The platform says we can no longer write to this resident (e.g. they
        blocked the Telegram bot): stop sending to them."""
        user_hash = self._pseudonyms.pseudonym(channel, user_id)
        async with self._db.transaction() as session:
            found = await participants.find(session, channel, user_hash)
            if found is not None and found.reachable:
                await participants.change(session, found.id, reachable=False)

    async def expire_inactive(self, now: dt.datetime) -> int:
        """Mark sessions left alone longer than the configured inactivity
        expired (for the figures; a returning resident is offered to resume
        either way); how many. Run periodically by `consultbot serve`."""
        async with self._db.transaction() as session:
            return await sessions.expire_inactive(
                session, inactive_since=now - self._expire_after, now=now
            )

    # ---- one message ------------------------------------------------------

    async def _handle(
        self, session: AsyncSession, message: InboundMessage, user_hash: str
    ) -> list[Reply]:
        now = message.received_at
        participant = await participants.find(session, message.channel, user_hash, lock=True)
        claim_id: int | None = None
        if participant is not None and message.message_id is not None:
            claim = await inbound.claim(
                session, message.channel, user_hash, message.message_id, now=now
            )
            if not claim.is_new:
                return _replies_from_json(claim.replies)
            claim_id = claim.id
        context = await self._context(session, message, user_hash, participant)
        transition, interpretation = self._advance(context)
        consented = any(isinstance(e, ConsentGiven) for e in transition.effects)
        if context.stored is None and not consented:
            self._remember(context)  # nothing may be stored before consent
            return list(transition.replies)
        self._pending.pop(user_hash, None)
        if context.participant is None:
            context.participant = await participants.create(
                session,
                message.channel,
                user_hash,
                now=now,
                language=_language(transition.state, message),
                consented_at=now,
            )
        if claim_id is None and message.message_id is not None:
            claim = await inbound.claim(
                session, message.channel, user_hash, message.message_id, now=now
            )
            if not claim.is_new:  # a concurrent process handled it first
                return _replies_from_json(claim.replies)
            claim_id = claim.id
        if any(isinstance(e, DeletionConfirmed) for e in transition.effects):
            await erasure.delete_participant_data(
                session,
                context.participant.id,
                now=now,
                keep_anonymised_answers=self._settings.privacy.keep_anonymised_answers_on_delete,
            )
            return list(transition.replies)  # their every row is gone, this one too
        session_id = await self._save(session, context, transition.state)
        await self._apply(session, context, session_id, transition.effects, transition.state)
        lines = self._transcript(context, interpretation, transition.replies, consented)
        await transcripts.append(session, session_id, lines)
        if claim_id is not None:
            await inbound.store_replies(
                session, claim_id, _json([reply.to_json() for reply in transition.replies])
            )
        return list(transition.replies)

    async def _context(
        self,
        session: AsyncSession,
        message: InboundMessage,
        user_hash: str,
        participant: Participant | None,
    ) -> _Context:
        stored = None
        if participant is not None:
            stored = await sessions.find_open(session, participant.id, lock=True)
            if stored is None:
                latest = await sessions.latest(session, participant.id)
                if latest is not None and latest.status in (
                    SessionStatus.COMPLETED,
                    SessionStatus.EXPIRED,
                ):
                    stored = latest
        wanted = message.consultation_id
        if stored is not None:
            deployed = await self._catalog.version(session, stored.flow_version_id)
            if _is_start(message) and wanted and wanted != deployed.consultation_id:
                # A deep link to another consultation: leave this one.
                if stored.status in (SessionStatus.ACTIVE, SessionStatus.PAUSED):
                    await sessions.save(
                        session,
                        stored.id,
                        now=message.received_at,
                        status=SessionStatus.ABANDONED,
                        activity=False,
                    )
                stored = None
        if stored is None:
            deployed = await self._choose_flow(session, message, user_hash)
            return _Context(message, user_hash, participant, None, deployed, None, False)
        state = SessionState.from_json(cast(dict[str, object], stored.state))
        expired = stored.status == SessionStatus.EXPIRED or (
            stored.status != SessionStatus.COMPLETED
            and message.received_at - stored.last_activity_at > self._expire_after
        )
        return _Context(message, user_hash, participant, stored, deployed, state, expired)

    async def _choose_flow(
        self, session: AsyncSession, message: InboundMessage, user_hash: str
    ) -> DeployedFlow:
        pending = self._pending.get(user_hash)
        candidates = [
            message.consultation_id,
            pending.consultation_id if pending else None,
            self._settings.default_consultation,
        ]
        for consultation_id in candidates:
            if consultation_id:
                deployed = await self._catalog.live(session, consultation_id)
                if deployed is not None:
                    return deployed
        raise ConfigError(
            f"no consultation {self._settings.default_consultation!r} is deployed: deploy it "
            "with `consultbot flows deploy FILE` or set default_consultation"
        )

    def _advance(self, context: _Context) -> tuple[engine.Transition, Interpretation | None]:
        flow, state, message = context.deployed.flow, context.state, context.message
        # Local time: a consultation that closes on the 30th is open all that day
        # in the region, whatever the server's time zone.
        now = message.received_at.astimezone(REGION_TIMEZONE)
        if context.returned and state is not None:
            return engine.advance(flow, state, Returned(), now), None
        event: Event
        interpretation: Interpretation | None = None
        if _is_start(message):
            event = Start(message.consultation_id, message.language)
        else:
            language = state.language if state else self._hinted_language(context)
            spec = engine.expecting(flow, state, language)
            interpretation = self._interpreter.interpret(message.text, spec, language, now.date())
            event = Message(message.text, interpretation, self._hinted_language(context))
        return engine.advance(flow, state, event, now), interpretation

    def _hinted_language(self, context: _Context) -> str:
        pending = self._pending.get(context.user_hash)
        hint = context.message.language or (pending.language if pending else None)
        flow = context.deployed.flow
        if hint is not None:
            for candidate in (hint, hint.split("-")[0].lower()):
                if candidate in flow.languages:
                    return candidate
        if self._settings.default_language in flow.languages:
            return self._settings.default_language
        return flow.languages[0]

    def _remember(self, context: _Context) -> None:
        """Which consultation a resident who has not consented yet is looking at,
        so that their "oui" joins it. Memory only, bounded."""
        self._pending[context.user_hash] = _Pending(
            context.deployed.consultation_id, context.message.language
        )
        self._pending.move_to_end(context.user_hash)
        while len(self._pending) > PENDING_LIMIT:
            self._pending.popitem(last=False)

    async def _save(
        self, session: AsyncSession, context: _Context, state: SessionState | None
    ) -> int:
        assert context.participant is not None
        now = context.message.received_at
        if context.stored is None:
            assert state is not None  # consent was just given: the engine asks on
            created = await sessions.create(
                session,
                context.participant.id,
                context.deployed.version_id,
                _json(state.to_json()),
                now=now,
                status=_STATUS[state.status],
            )
            return created.id
        if state is None:  # the engine let go of the conversation
            await sessions.save(session, context.stored.id, now=now, status=SessionStatus.ABANDONED)
        else:
            await sessions.save(
                session,
                context.stored.id,
                now=now,
                state=_json(state.to_json()),
                status=_STATUS[state.status],
                human_requested=state.human_requested,
            )
        return context.stored.id

    async def _apply(
        self,
        session: AsyncSession,
        context: _Context,
        session_id: int,
        effects: Sequence[Effect],
        state: SessionState | None,
    ) -> None:
        now = context.message.received_at
        flow = context.deployed.flow
        for effect in effects:
            if isinstance(effect, AnswerRecorded):
                await answers.record(
                    session,
                    session_id,
                    effect.question_id,
                    _json(_json_value(effect.value)),
                    question_text=effect.wording,
                    language=effect.language,
                    now=now,
                    raw_text=effect.raw_text,
                    needs_moderation=flow.question(effect.question_id).type == "free_text",
                )
            elif isinstance(effect, AnswerSkipped | AnswerWithdrawn):
                await answers.supersede(
                    session, session_id, now=now, question_ids=[effect.question_id]
                )
            elif isinstance(effect, Completed) and state is not None:
                await outbox.enqueue(
                    session,
                    "contribution.completed",
                    _json(_contribution(context, session_id, state)),
                    now=now,
                    participant_id=context.participant.id if context.participant else None,
                )

    def _transcript(
        self,
        context: _Context,
        interpretation: Interpretation | None,
        replies: Sequence[Reply],
        consented: bool,
    ) -> list[TranscriptLine]:
        message, now = context.message, context.message.received_at
        lines = []
        if consented:  # what they agreed to, as they saw it
            asked = consent_question(context.deployed.flow, self._hinted_language(context))
            lines.append(_out_line(asked, now))
        lines.append(
            TranscriptLine(
                direction=Direction.IN,
                text=message.text,
                at=now,
                platform_message_id=message.message_id,
                interpretation=_json(_interpretation_json(interpretation)),
            )
        )
        lines.extend(_out_line(reply, now) for reply in replies)
        return lines


def build_interpreter(settings: Settings) -> Interpreter:
    """The interpreter with the bundled training data plus the configured files."""
    texts = []
    for path in settings.nlu.training_files:
        try:
            texts.append(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(
                f"nlu.training_files: cannot read {path} ({error}); fix the path or remove it"
            ) from None
    return Interpreter(region=settings.region, extra_training=texts)


_TRY_AGAIN = {
    "fr": "Désolé, un problème technique nous empêche d'enregistrer votre message. "
    "Pouvez-vous le renvoyer dans un instant ?",
    "en": "Sorry, a technical problem stopped us from saving your message. "
    "Could you send it again in a moment?",
}


def _is_start(message: InboundMessage) -> bool:
    return message.text.strip().lower() == "/start"


def _language(state: SessionState | None, message: InboundMessage) -> str | None:
    return state.language if state is not None else message.language


def _out_line(reply: Reply, at: dt.datetime) -> TranscriptLine:
    buttons = [[b.title, b.payload] for b in reply.buttons] or None
    return TranscriptLine(direction=Direction.OUT, text=reply.text, at=at, buttons=_json(buttons))


def _json(value: object) -> JsonValue:
    """Values built here from JSON-safe parts (the engine's state, answers,
    replies) typed as storage expects them."""
    return cast(JsonValue, value)


def _json_value(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def _interpretation_json(interpretation: Interpretation | None) -> dict[str, object] | None:
    if interpretation is None:
        return None
    if isinstance(interpretation, Answer):
        return {"answer": _json_value(interpretation.value)}
    if isinstance(interpretation, Command):
        return {"command": interpretation.name}
    return {"reject": interpretation.reason}


def _contribution(context: _Context, session_id: int, state: SessionState) -> dict[str, object]:
    return {
        "consultation": context.deployed.consultation_id,
        "flow_version": context.deployed.version,
        "session": session_id,
        "language": state.language,
        "answers": {qid: _json_value(value) for qid, value in state.answers},
        "skipped": list(state.skipped),
        "completed_at": context.message.received_at.isoformat(),
    }


def _replies_from_json(data: object) -> list[Reply]:
    if not isinstance(data, list):
        return []
    return [Reply.from_json(item) for item in data]
