"""Messages from the consultation team to a resident, over the resident's own
channel: answers to residents who asked for a person ("humain" / "human"),
and later any follow-up from the organizers.

The service the console and the CLI (`consultbot human ...`) use; in
`consultbot serve` it is `app[bot.app.TEAM_MESSAGES]`:

    messages = TeamMessages.for_settings(database, settings, web=push)
    await messages.inbox(consultations=["mobilite"], after=None, limit=50)
        -> [HumanRequest]   waiting requests, oldest first (storage.team_messages)
    await messages.conversation(session_id)
        -> Conversation     the request, the transcript (team lines: from_team),
                            the team's messages with their delivery state
    await messages.reply(session_id, text, author, now)
        -> Outcome          DELIVERED, QUEUED, UNREACHABLE or ERASED
    await messages.mark_handled(session_id, handled, author, now)
        -> bool             False when it already was so
    await messages.close()

`author` is an opaque name of who acted (a console account id, `cli:<login>`);
`now` a timezone-aware time. Replies and handling changes are audited
(storage.audit: who, which conversation as "session:<id>", never the text). Bad input raises a
`TeamMessageError` (a UserError) with an actionable message and changes nothing.

A reply is stored first, with its transcript line marked as from the team,
then handed to the channel:

- Telegram: sent to the chat address stored encrypted with the resident;
  DELIVERED once Telegram accepted it; UNREACHABLE when the resident blocked
  the bot (they are marked unreachable); QUEUED when Telegram could not be
  reached.
- web chat: DELIVERED when the resident's open chat has the message (in any
  `serve` process: bot.channels.webchat_push; on PostgreSQL `reply` waits up to
  a second for another process to answer); else QUEUED, and shown when they
  next open the chat. Written is not yet seen: a widget tab (its hello said
  "seen": true) answers `seen`, and `reply` waits for that, up to 5 s
  (webchat_push.SEEN_WITHIN_S). A message no such tab confirms by then (a
  connection that died unnoticed) is given back and `reply` says QUEUED: it
  goes out at the chat's next welcome or with the resident's next message, so
  the console never tells a moderator "sent" for a reply still waiting. A tab
  that does not confirm (a client of the protocol before `seen`) is trusted as
  written, DELIVERED at once.
- REST (and any other channel): QUEUED.

Whatever waits (QUEUED, and UNREACHABLE if they write again) goes out with the
resident's next message, before the bot's replies (`waiting_replies`, called by
the conversation service in the message's transaction, as is
`note_human_request`, which puts a conversation in the inbox). The resident's
questionnaire is never touched: the engine's state does not change.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.errors import UserError
from flows.catalogue import CATALOGUE
from flows.effects import Effect, HumanRequested
from flows.replies import Reply
from flows.state import SessionState
from nlu import Command, Interpretation
from storage import audit, participants, team_messages, transcripts
from storage.database import Database
from storage.errors import NotFound
from storage.models import TeamMessageState
from storage.participants import Participant
from storage.team_messages import HumanRequest, TeamMessage
from storage.transcripts import TranscriptLine

if TYPE_CHECKING:
    from bot.channels.telegram.direct import TelegramDirect
    from bot.channels.webchat_push import WebChatPush

log = logging.getLogger(__name__)

MAX_TEXT_CHARS: Final = 3900  # Telegram takes 4096, the header included
MAX_AUTHOR_CHARS: Final = 128
AUDIT_REPLY: Final = "team.reply"
AUDIT_HANDLED: Final = "human.handled"
AUDIT_REOPENED: Final = "human.reopened"

__all__ = ["Conversation", "HumanRequest", "Outcome", "TeamMessage", "TeamMessages"]


class Outcome(enum.StrEnum):
    DELIVERED = "delivered"  # the resident's channel has it (web chat: a tab said seen)
    QUEUED = "queued"  # shown when the resident next opens the chat or writes
    UNREACHABLE = "unreachable"  # the platform refuses (bot blocked); sent if they write again
    ERASED = "erased"  # the conversation no longer exists (erased by the resident)


class TeamMessageError(UserError):
    """A reply or a handling change that cannot be made; nothing was changed."""


class InvalidReply(TeamMessageError):
    pass


class AlreadySent(TeamMessageError):
    """The same reply form was sent before (a double click, a resubmission)."""


class ConversationGone(TeamMessageError):
    pass


class NotAsked(TeamMessageError):
    pass


@dataclass(frozen=True, slots=True)
class Conversation:
    request: HumanRequest
    transcript: list[TranscriptLine]  # the team's lines have from_team=True
    messages: list[TeamMessage]  # the team's messages, with their delivery state


def shown_text(text: str, language: str | None) -> str:
    """A team message as channels without a sender label show it: under the
    catalogue's `service.team_message` header, in the resident's language
    (French when it is not known)."""
    return f"{CATALOGUE.text('service', 'team_message', language, 'fr')}\n{text}"


async def note_human_request(
    session: AsyncSession,
    session_id: int,
    before: SessionState | None,
    interpretation: Interpretation | None,
    effects: Sequence[Effect],
    now: dt.datetime,
) -> None:
    """If the resident's message asked for a person, their conversation waits
    in the inbox (inside the message's transaction). The engine says so the
    first time (HumanRequested); asking again puts a conversation the team had
    handled back in the inbox."""
    asked_again = (
        isinstance(interpretation, Command)
        and interpretation.name == "human"
        and before is not None
        and before.human_requested
        and before.status != "confirming_delete"
    )
    if asked_again or any(isinstance(effect, HumanRequested) for effect in effects):
        await team_messages.human_asked(session, session_id, now=now)


async def waiting_replies(
    session: AsyncSession, participant: Participant, now: dt.datetime
) -> list[Reply]:
    """The team's messages still waiting for the participant, taken for
    delivery as replies (inside the transaction of their message)."""
    waiting = await team_messages.claim_waiting(session, participant.id, now=now)
    return [Reply(shown_text(message.text, participant.language)) for message in waiting]


class TeamMessages:
    def __init__(
        self,
        database: Database,
        *,
        web: WebChatPush | None = None,
        telegram: TelegramDirect | None = None,
    ) -> None:
        self._db = database
        self._web = web
        self._telegram = telegram

    @classmethod
    def for_settings(
        cls, database: Database, settings: Settings, *, web: WebChatPush | None = None
    ) -> TeamMessages:
        """Telegram residents are written to when a bot token is configured."""
        telegram = None
        if settings.telegram.bot_token is not None:
            # Imported only when used: python-telegram-bot is a large import.
            from bot.channels.telegram.direct import TelegramDirect

            telegram = TelegramDirect(settings)
        return cls(database, web=web, telegram=telegram)

    async def close(self) -> None:
        if self._telegram is not None:
            await self._telegram.close()

    async def inbox(
        self,
        *,
        consultations: Sequence[str] | None = None,
        after: HumanRequest | None = None,
        limit: int = 50,
    ) -> list[HumanRequest]:
        """Conversations whose resident asked for a person, not yet handled,
        oldest request first (`after`: the last one of the previous page)."""
        async with self._db.transaction() as session:
            return await team_messages.waiting(
                session, consultations=consultations, after=after, limit=limit
            )

    async def conversation(self, session_id: int) -> Conversation:
        async with self._db.transaction() as session:
            try:
                request = await team_messages.request(session, session_id)
            except NotFound:
                raise _gone(session_id) from None
            lines = await transcripts.for_session(session, session_id)
            messages = await team_messages.for_session(session, session_id)
        return Conversation(request, lines, messages)

    async def reply(
        self,
        session_id: int,
        text: str,
        author: str,
        now: dt.datetime,
        *,
        form_token: str | None = None,
    ) -> Outcome:
        """Write `text` to the resident of the conversation, in their channel.
        A console form's `form_token` sends it once: that form sent again
        raises AlreadySent, and nothing is sent or audited twice. To a web chat
        whose widget confirms, it returns once a tab said `seen` (DELIVERED) or
        after 5 s without (QUEUED: it waits again; see the module)."""
        text = _checked_text(text)
        author = _checked_author(author)
        async with self._db.transaction() as session:
            try:
                request = await team_messages.request(session, session_id)
            except NotFound:
                return Outcome.ERASED
            if request.participant_id is None:
                return Outcome.ERASED
            resident = await participants.get(session, request.participant_id)
            if form_token is None:
                message = await team_messages.add(
                    session, session_id, resident.id, text, author, now=now
                )
            else:
                once = await team_messages.add_once(
                    session, session_id, resident.id, text, author, now=now, form_token=form_token
                )
                if once is None:
                    raise AlreadySent(
                        "this reply was sent already (the same form was sent twice); "
                        "it was not sent again"
                    )
                message = once
            await audit.record(
                session,
                AUDIT_REPLY,
                {"team_messages": 1},
                now=now,
                actor=author,
                subject=subject(session_id),
                state_after=TeamMessageState.QUEUED.value,
            )
        outcome = await self._deliver(resident, message, now)
        log.info("team message %d to conversation %d: %s", message.id, session_id, outcome)
        return outcome

    async def mark_handled(
        self, session_id: int, handled: bool, author: str, now: dt.datetime
    ) -> bool:
        """Take the conversation out of the inbox (`handled`), or put it back."""
        author = _checked_author(author)
        async with self._db.transaction() as session:
            try:
                request = await team_messages.request(session, session_id)
            except NotFound:
                raise _gone(session_id) from None
            if request.requested_at is None:
                raise NotAsked(
                    f"in conversation {session_id} the resident did not ask for a person: "
                    "there is nothing to mark handled or reopen"
                )
            changed = await team_messages.set_handled(
                session, session_id, handled=handled, by=author, now=now
            )
            if changed:
                await audit.record(
                    session,
                    AUDIT_HANDLED if handled else AUDIT_REOPENED,
                    {"sessions": 1},
                    now=now,
                    actor=author,
                    subject=subject(session_id),
                    state_before="waiting" if handled else "handled",
                    state_after="handled" if handled else "waiting",
                )
        return changed

    async def deliver(self, message_id: int, now: dt.datetime) -> Outcome:
        """Hand a message already stored (a follow-up's copy) to its resident's
        channel now, as `reply` does; ERASED if it is gone."""
        async with self._db.transaction() as session:
            message = await team_messages.get(session, message_id)
            if message is None:
                return Outcome.ERASED
            if message.state is TeamMessageState.DELIVERED:
                return Outcome.DELIVERED
            resident = await participants.get(session, message.participant_id)
        return await self._deliver(resident, message, now)

    async def _deliver(
        self, resident: Participant, message: TeamMessage, now: dt.datetime
    ) -> Outcome:
        try:
            if resident.channel == "telegram":
                return await self._to_telegram(resident, message, now)
            if resident.channel == "web" and self._web is not None:
                return Outcome.DELIVERED if await self._web.push(message.id) else Outcome.QUEUED
        except Exception:  # it stays queued: it goes out with their next message
            log.exception("team message %d: delivery failed; kept for later", message.id)
        return Outcome.QUEUED

    async def _to_telegram(
        self, resident: Participant, message: TeamMessage, now: dt.datetime
    ) -> Outcome:
        from bot.channels.telegram.sending import Blocked

        if self._telegram is None or resident.address is None:
            return Outcome.QUEUED
        # What still waits for them (e.g. written while they had blocked the
        # bot) goes first, oldest first: never a later message before it.
        async with self._db.transaction() as session:
            claimed = await team_messages.claim_waiting(session, resident.id, now=now)
        if message.id not in {waiting.id for waiting in claimed}:  # their next message took it
            return Outcome.DELIVERED
        for index, waiting in enumerate(claimed):
            unsent = [later.id for later in claimed[index:]]
            try:
                sent = await self._telegram.send(
                    resident.address, shown_text(waiting.text, resident.language)
                )
            except Blocked:
                async with self._db.transaction() as session:
                    for message_id in unsent:
                        await team_messages.release(session, message_id, unreachable=True)
                    await participants.change(session, resident.id, reachable=False)
                return Outcome.UNREACHABLE if message.id in unsent else Outcome.DELIVERED
            except BaseException:
                await self._give_back(unsent)
                raise
            if not sent:
                await self._give_back(unsent)
                return Outcome.QUEUED if message.id in unsent else Outcome.DELIVERED
        return Outcome.DELIVERED

    async def _give_back(self, message_ids: Sequence[int]) -> None:
        async with self._db.transaction() as session:
            for message_id in message_ids:
                await team_messages.release(session, message_id)


def subject(session_id: int) -> str:
    """How audit records name a conversation."""
    return f"session:{session_id}"


def _checked_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidReply("the reply is empty: write what the resident should read")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidReply(
            f"the reply has {len(text)} characters; at most {MAX_TEXT_CHARS} fit in one "
            "message: shorten it or send it in two"
        )
    return text


def _checked_author(author: str) -> str:
    author = author.strip()
    if not author or len(author) > MAX_AUTHOR_CHARS:
        raise TeamMessageError(f"the author must be 1 to {MAX_AUTHOR_CHARS} characters")
    return author


def _gone(session_id: int) -> ConversationGone:
    return ConversationGone(
        f"there is no conversation {session_id}: the resident erased it, or the number is "
        "wrong (see `consultbot human list`)"
    )
