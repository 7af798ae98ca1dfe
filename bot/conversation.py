"""The conversation service: every channel hands it one `InboundMessage` and gets
the replies back, after everything the message caused is committed.

One transaction per message: drop a redelivered message (same replies as the
first time), load the participant and their session, interpret the text against
the question being asked, advance the pure engine, then write the effects, the
transcript, the new state and the replies together (bot.message_writes). The
replies are returned only after the commit: a resident who sees the next
question knows the last answer is stored.

Privacy: nothing about a resident is written before consent. Until then the
engine treats "no state" as "consent not given yet", and bot.before_consent
keeps a short-lived note with no text of what they chose and whether the consent
question was just asked: only then does their "oui" consent. A message that
erased a resident's data leaves a receipt (a keyed hash): its retry gets the
same reply and starts nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession

from bot import redeliveries
from bot.before_consent import REGION_TIMEZONE as REGION_TIMEZONE  # where residents live
from bot.before_consent import BeforeConsent, Chosen
from bot.button_steps import already_answered, stamp, step_of
from bot.button_steps import read as read_button
from bot.channel_contract import ButtonOutdated, InboundMessage, Unavailable
from bot.config import Settings
from bot.contributions import ContributionRecorder
from bot.effect_writes import EffectWrites
from bot.expiry import SessionExpiry
from bot.flow_catalog import FlowCatalog
from bot.message_context import MessageContext, MessageContexts, RasaVerdict
from bot.message_writes import MessageWrites
from bot.participant_locks import ParticipantLocks
from bot.pseudonyms import Pseudonymizer
from bot.rasa import RasaCommands, RasaUnavailable
from bot.receipts import Receipts
from bot.selection_limits import max_selections
from bot.team_messages import shown_text, waiting_replies
from flows import engine
from flows.catalogue import CATALOGUE
from flows.effects import (
    Completed,
    ConsentGiven,
    DeletionConfirmed,
    StatusAsked,
)
from flows.events import ChangeLanguage, Event, Message, Returned, Start
from flows.messages import say
from flows.replies import Reply
from flows.state import SessionState
from nlu import Interpretation, Interpreter, QuestionSpec
from storage import (
    erasure,
    message_open,
    participants,
    team_messages,
)
from storage.consultations import LiveLookup
from storage.database import Database
from storage.errors import DatabaseBusy, StorageError, TransactionNeeded
from storage.inbound import InboundClaim
from storage.participants import Participant
from storage.pre_consent import Outside
from storage.sessions import StoredSession

log = logging.getLogger(__name__)

# Tries of a message whose transaction met another's (the same resident's first
# message handled by two processes at once: one creates them, the other retries
# and finds them) before the resident is asked to send it again.
BUSY_RETRIES = 3


@dataclass(frozen=True, slots=True)
class _Opening:
    """What a message found as it was opened (ConversationService._open)."""

    participant: Participant | None  # None: not enrolled
    team_waiting: bool  # the team wrote them messages not delivered yet
    session: StoredSession | None  # their open session
    outside: Outside | None  # what is kept about them, when not enrolled
    claim: InboundClaim | None  # the message id claimed, when there is one
    live: LiveLookup | None = None  # not enrolled: read ahead (storage.message_open)


class ConversationService:
    """Converses: one message in, its replies out once committed. Built at
    start-up (bot/startup.py) from an open database, an interpreter and the
    pseudonymizer; `close` closes the database and the Rasa client it was given."""

    def __init__(
        self,
        database: Database,
        interpreter: Interpreter,
        pseudonymizer: Pseudonymizer,
        settings: Settings,
        rasa: RasaCommands | None = None,
    ) -> None:
        self._db = database
        self._rasa = rasa
        self._interpreter = interpreter
        self._pseudonyms = pseudonymizer
        self._contributions = ContributionRecorder(pseudonymizer)
        self._writes = MessageWrites(EffectWrites(self._contributions))
        self._receipts = Receipts(pseudonymizer)
        self._outside = BeforeConsent(pseudonymizer)  # notes kept outside consent
        self._settings = settings
        self._catalog = FlowCatalog()
        self._locks = ParticipantLocks()
        self._expire_after = dt.timedelta(days=settings.sessions.expire_after_days)
        self._expiry = SessionExpiry(
            database, self._catalog, self._contributions, self._outside, self._expire_after
        )
        self._contexts = MessageContexts(
            self._catalog, self._outside, settings.default_consultation, self._expire_after
        )

    @property
    def database(self) -> Database:
        return self._db

    @property
    def expiry(self) -> SessionExpiry:
        """The periodic sweep of inactive sessions (bot/expiry.py), sharing this
        service's flow catalog and contribution recorder."""
        return self._expiry

    async def close(self) -> None:
        if self._rasa is not None:
            await self._rasa.close()
        await self._db.close()

    def pseudonym(self, channel: str, user_id: str) -> str:
        return self._pseudonyms.pseudonym(channel, user_id)

    async def handle(self, message: InboundMessage) -> list[Reply]:
        return await self._process(message, None)

    async def change_language(
        self, channel: str, user_id: str, language: str, received_at: dt.datetime
    ) -> list[Reply]:
        """The resident chose a language through the platform (Telegram's
        /langue): the conversation goes on in it, the question asked again."""
        message = InboundMessage(
            channel, user_id, f"/langue {language}", None, received_at, language=language
        )
        return await self._process(message, ChangeLanguage(language))

    async def _process(self, message: InboundMessage, event: Event | None) -> list[Reply]:
        if "\x00" in message.text:  # a NUL means nothing (and PostgreSQL refuses it)
            message = replace(message, text=message.text.replace("\x00", ""))
        message = _read_button(message)
        user_hash = self._pseudonyms.pseudonym(message.channel, message.user_id)
        # Before the transaction: a Rasa server may be slow.
        rasa = await self._ask_rasa(message) if event is None else None

        def work(session: AsyncSession) -> Awaitable[list[Reply]]:
            return self._handle(session, message, user_hash, rasa, event)

        async with self._locks.hold(f"{message.channel}:{user_hash}"):
            try:
                return await self._within_tries(work)
            except StorageError as error:
                # One line a person can act on (an outage refuses every message:
                # a traceback each would bury it); the traceback when debugging.
                log.error("message on %s not handled: %s", message.channel, error)
                log.debug("storage failure", exc_info=True)
                language = (message.language, self._settings.default_language)
                raise Unavailable(
                    [Reply(CATALOGUE.text("service", "try_again", *language))]
                ) from None

    async def _within_tries(
        self, work: Callable[[AsyncSession], Awaitable[list[Reply]]]
    ) -> list[Reply]:
        """`work` in a transaction, tried again while the database is busy.
        First with nothing begun: most messages need no transaction of their
        own (storage.message_open); one that does is done again in one."""
        optimistic, busy = True, 0
        while True:
            try:
                return await self._catalog.within(self._db, work, optimistic=optimistic)
            except TransactionNeeded:
                optimistic = False  # nothing of it was written
            except DatabaseBusy:  # e.g. another process created them at once
                busy += 1
                if busy == BUSY_RETRIES:
                    raise
                optimistic = False  # rolled back: nothing of it was written

    async def language_of(self, channel: str, user_id: str) -> str | None:
        """The language kept with the resident (the one they chose, else the
        one they consented in); None for someone not enrolled."""
        user_hash = self._pseudonyms.pseudonym(channel, user_id)
        async with self._db.read() as session:
            found = await participants.find(session, channel, user_hash)
        return None if found is None else found.language

    async def max_selections(self, channel: str, user_id: str, shown_at: str) -> int | None:
        """How many boxes the multiple choice shown at step `shown_at` takes at
        most (`bot.selection_limits`), for a channel refusing a tick too many."""
        user_hash = self._pseudonyms.pseudonym(channel, user_id)
        return await max_selections(self._db, self._catalog, channel, user_hash, shown_at)

    async def mark_unreachable(self, channel: str, user_id: str) -> None:
        """The platform says we can no longer write to this resident (e.g. they
        blocked the Telegram bot): stop sending to them."""
        user_hash = self._pseudonyms.pseudonym(channel, user_id)
        async with self._db.transaction() as session:
            found = await participants.find(session, channel, user_hash)
            if found is not None and found.reachable:
                await participants.change(session, found.id, reachable=False)

    async def mark_reachable(
        self,
        channel: str,
        user_id: str,
        now: dt.datetime,
        send: Callable[[Reply], Awaitable[None]],
    ) -> None:
        """The platform says we may write to this resident again (they unblocked
        the Telegram bot): marked reachable, and the team's messages that waited
        for them handed to `send` now, oldest first, rather than with their next
        message. Those `send` failed on wait for it again."""
        user_hash = self._pseudonyms.pseudonym(channel, user_id)
        async with self._db.transaction() as session:
            found = await participants.find(session, channel, user_hash)
            if found is None or found.reachable:  # they wrote since: nothing waits
                return
            await participants.change(session, found.id, reachable=True)
            waiting = await team_messages.claim_waiting(session, found.id, now=now)
        for index, message in enumerate(waiting):
            try:
                await send(Reply(shown_text(message.text, found.language)))
            except Exception:
                async with self._db.transaction() as session:
                    for unsent in waiting[index:]:
                        await team_messages.release(session, unsent.id)
                raise

    # ---- one message ------------------------------------------------------

    async def _ask_rasa(self, message: InboundMessage) -> RasaVerdict | None:
        """The command a configured Rasa server sees in the text; None when no
        server is configured or it failed (the built-in classifier then decides)."""
        if self._rasa is None or message.is_start:
            return None
        try:
            return RasaVerdict(await self._rasa.recognise(message.text))
        except RasaUnavailable as error:
            log.warning("%s; using the built-in command classifier", error)
            return None

    async def _handle(
        self,
        session: AsyncSession,
        message: InboundMessage,
        user_hash: str,
        rasa: RasaVerdict | None,
        event: Event | None,
    ) -> list[Reply]:
        opening = await self._open(session, message, user_hash)
        if isinstance(opening, list):
            return opening  # handled before: the same replies again
        context = await self._contexts.read(
            session,
            message,
            user_hash,
            opening.participant,
            opening.session,
            opening.outside,
            opening.live,
        )
        context.rasa, context.event = rasa, event
        if message.shown_at is not None and message.shown_at != _step(context):
            # Raised inside the transaction: nothing of this message is kept.
            raise ButtonOutdated([already_answered(_language(context.state, message))])
        transition, interpretation = self._advance(context)
        transition = await self._with_receipts(session, context, transition)
        if context.not_open:  # their link's consultation: said before what they get
            transition = replace(
                transition, replies=(self._not_open(context, transition), *transition.replies)
            )
        said = transition.replies  # the bot's own words, for the transcript
        if opening.participant is not None and opening.team_waiting:
            # What the team wrote them goes first.
            waiting = await waiting_replies(session, opening.participant, message.received_at)
            transition = replace(transition, replies=(*waiting, *said))
        consented = any(isinstance(e, ConsentGiven) for e in transition.effects)
        if context.stored is None and not consented:
            return await self._before_consent(session, context, transition, user_hash)
        claim = await self._enrol(session, context, transition, user_hash, opening.claim)
        if isinstance(event, ChangeLanguage):
            await self._keep_language(session, context, event.language)
        if any(isinstance(e, DeletionConfirmed) for e in transition.effects):
            return await self._erase(session, context, transition, user_hash)
        consented_in = self._flow_language(context) if consented else None
        return await self._writes.store(
            session, context, transition, interpretation, said, claim, consented_in=consented_in
        )

    async def _keep_language(
        self, session: AsyncSession, context: MessageContext, language: str
    ) -> None:
        """The language the resident chose, kept with them: the team's messages,
        follow-ups and the channel's own texts are written in it."""
        participant = context.participant
        if participant is not None and participant.language != language:
            await participants.change(session, participant.id, language=language)

    async def _open(
        self, session: AsyncSession, message: InboundMessage, user_hash: str
    ) -> _Opening | list[Reply]:
        """What the message finds: the resident (enrolled or not), their open
        session, the message id claimed; or, for a message handled before (a
        redelivery, or the retry of one that erased their data), its replies."""
        opened = await message_open.open_message(
            session,
            message.channel,
            user_hash,
            message.message_id,
            now=message.received_at,
            receipt=self._outside.receipt(message, user_hash),
            # An empty id is none, as MessageContexts.flow_for reads them.
            wanted=message.consultation_id or None,
            default=self._settings.default_consultation or None,
        )
        participant = opened.participant
        if participant is None:
            outside = opened.outside
            assert outside is not None  # read for someone not enrolled
            if outside.erased:
                return [await self._erased_reply(session, message)]
            return _Opening(None, False, None, outside, None, opened.live)
        claim, replayed = await redeliveries.claim(session, message, user_hash, opened.claim)
        if replayed is not None:
            return replayed
        if not participant.reachable or (message.address and participant.address is None):
            # They write again (e.g. unblocked the bot): we may write to them again.
            await participants.change(
                session,
                participant.id,
                reachable=True,
                address=message.address.encode("ascii") if message.address else None,
            )
        return _Opening(participant, opened.team_waiting, opened.session, None, claim)

    async def _before_consent(
        self,
        session: AsyncSession,
        context: MessageContext,
        transition: engine.Transition,
        user_hash: str,
    ) -> list[Reply]:
        """Someone not enrolled who did not consent now: only the short-lived
        note of what they chose is kept, no text (bot.before_consent)."""
        chosen = Chosen(
            context.deployed.consultation_id,
            context.deployed.version_id,
            self._resident_language_hint(context),
            context.message.source,
        )
        await self._outside.note(
            session, context.message, user_hash, chosen, transition.effects, context.before
        )
        return stamp(transition.replies, step_of(None, transition.state))

    async def _enrol(
        self,
        session: AsyncSession,
        context: MessageContext,
        transition: engine.Transition,
        user_hash: str,
        claim: InboundClaim | None,
    ) -> InboundClaim | None:
        """For someone who consents now: their note forgotten, the participant
        created, and the message id to be claimed with its replies once stored
        (redeliveries.keep_replies). Someone enrolled keeps their claim."""
        message = context.message
        if context.before is not None:
            await self._outside.forget(session, message, user_hash)
        if context.participant is None:
            context.new_participant = True
            context.participant = await participants.create(
                session,
                message.channel,
                user_hash,
                now=message.received_at,
                language=_language(transition.state, message),
                consented_at=message.received_at,
                address=message.address.encode("ascii") if message.address else None,
            )
        if claim is None and message.message_id is not None:
            # Just consented. Claimed with the writes at the end, not now: one
            # statement less. No one else can have claimed it: only an enrolled
            # resident's messages are, and their first ones wait for this
            # transaction (message_open locks newcomers); were it claimed all
            # the same, the writes would fail whole and the message be handled
            # again, and found handled.
            claim = InboundClaim(None, True, None)
        return claim

    async def _erase(
        self,
        session: AsyncSession,
        context: MessageContext,
        transition: engine.Transition,
        user_hash: str,
    ) -> list[Reply]:
        """The resident confirmed erasing their data: all of it goes, and a
        receipt stays so that a retry of this message gets the same reply."""
        assert context.participant is not None  # enrolled by now
        await erasure.delete_participant_data(
            session,
            context.participant.id,
            now=context.message.received_at,
            keep_anonymised_answers=self._settings.privacy.keep_anonymised_answers_on_delete,
        )
        await self._outside.record_erasure(session, context.message, user_hash)
        return stamp(transition.replies, step_of(None, None))

    async def _with_receipts(
        self, session: AsyncSession, context: MessageContext, transition: engine.Transition
    ) -> engine.Transition:
        """The receipt code after the outro of a completed contribution; where
        their contributions are, first, for a resident who asks."""
        completed = context.stored is not None and any(
            isinstance(e, Completed) for e in transition.effects
        )
        asked = context.participant is not None and any(
            isinstance(e, StatusAsked) for e in transition.effects
        )
        if not (completed or asked):  # most messages
            return transition
        lang = _language(transition.state, context.message) or self._settings.default_language
        replies = transition.replies
        if completed:
            assert context.stored is not None
            given = self._receipts.given(context.deployed.consultation_id, context.stored.id, lang)
            # In the outro, which a question may follow (the follow-up offer).
            at = len(replies) - 2 if len(replies) > 1 and replies[-1].buttons else len(replies) - 1
            if at >= 0:
                outro = replies[at]
                ended = replace(outro, text=f"{outro.text}\n\n{given.text}")
                replies = (*replies[:at], ended, *replies[at + 1 :])
        if asked:
            assert context.participant is not None
            told = await self._receipts.status(
                session, context.participant.id, context.message.text, lang
            )
            replies = (told, *replies)
        return replace(transition, replies=replies)

    def _advance(self, context: MessageContext) -> tuple[engine.Transition, Interpretation | None]:
        flow, state, message = context.deployed.flow, context.state, context.message
        # Local time: a consultation that closes on the 30th is open all that day
        # in the region, whatever the server's time zone.
        now = message.received_at.astimezone(REGION_TIMEZONE)
        if context.expired and state is not None:
            return engine.advance(flow, state, Returned(), now), None
        event: Event
        interpretation: Interpretation | None = None
        if context.event is not None:
            event = context.event
        elif message.is_start:
            event = Start(message.consultation_id, message.language)
        else:
            language = state.language if state else self._flow_language(context)
            spec = engine.expecting(flow, state, language)
            interpretation = self._interpret(context, spec, language, now.date())
            asked = self._outside.asked(
                context.before, context.deployed.version_id, message, context.user_hash
            )
            event = Message(message.text, interpretation, self._flow_language(context), asked)
        return engine.advance(flow, state, event, now), interpretation

    def _interpret(
        self, context: MessageContext, spec: QuestionSpec, language: str, today: dt.date
    ) -> Interpretation:
        text = context.message.text
        # A tapped button's payload is an id, typed "car" may be a French word
        # (the coach): only the stamp tells them apart (bot.button_steps).
        tapped = context.message.shown_at is not None
        if context.rasa is None:
            return self._interpreter.interpret(text, spec, language, today, tapped=tapped)
        return self._interpreter.interpret(
            text,
            spec,
            language,
            today,
            command=context.rasa.command,
            recognise_commands=False,
            tapped=tapped,
        )

    def _not_open(self, context: MessageContext, transition: engine.Transition) -> Reply:
        """That the consultation their link asked for is not open, in the
        language of the conversation they get instead."""
        state = transition.state or context.state
        lang = state.language if state is not None else self._flow_language(context)
        return Reply(CATALOGUE.text("service", "consultation_not_open", lang))

    def _resident_language_hint(self, context: MessageContext) -> str | None:
        """The channel's language, one chosen before consent, else the one the
        message is written in (a greeting's, or its words')."""
        before = context.before
        hint = context.message.language or (before.language if before else None)
        if hint is None and context.state is None:
            hint = self._interpreter.written_language(context.message.text)
        return hint

    def _flow_language(self, context: MessageContext) -> str:
        """The language of the flow to talk to this resident in, from their hint
        (`Flow.language_for`)."""
        flow = context.deployed.flow
        return flow.language_for(
            self._resident_language_hint(context), self._settings.default_language
        )

    async def _erased_reply(self, session: AsyncSession, message: InboundMessage) -> Reply:
        """What a retried erasing message is told again: its data is gone."""
        flow = (await self._contexts.flow_for(session, message, None)).flow
        return Reply(say("deleted", flow.language_for(message.language)))


def _read_button(message: InboundMessage) -> InboundMessage:
    """The message with a tapped button's step read off its text."""
    text, shown_at = read_button(message.text)
    return message if shown_at is None else replace(message, text=text, shown_at=shown_at)


def _step(context: MessageContext) -> str:
    """The step the conversation is at before this message."""
    return step_of(context.stored.id if context.stored else None, context.state)


def _language(state: SessionState | None, message: InboundMessage) -> str | None:
    return state.language if state is not None else message.language
