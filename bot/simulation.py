"""A simulated resident talking to the real conversation service, for
`consultbot simulate` and the end-to-end tests.

    async with simulation(read_flow_text(path), str(path), settings, language="fr") as simulated:
        for text in simulated.send("oui"):
            print(text)

The flow is deployed on a temporary SQLite database that disappears afterwards
("nothing is stored"), and every message goes through `ConversationService`
exactly as a served resident's does: same interpreter settings (region,
training files, Rasa server), same region time zone, same storage. What the bot
stored is read back from that database (`show_effects`).

Three lines act on the simulation itself: `/start` (the resident opens the
conversation, as Telegram's /start), `/lang CODE` (the resident picks a
language through the platform) and `/return` (the resident comes back, as
`/start`, once their session has expired: the simulated clock jumps past
`sessions.expire_after_days`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO, cast

from bot.channel_contract import InboundMessage
from bot.config import Settings
from bot.conversation import REGION_TIMEZONE, ConversationService
from bot.deployment import deploy_text
from bot.errors import UserError
from bot.keys import Keys
from bot.pseudonyms import Pseudonymizer
from bot.startup import connect_rasa, open_database
from bot.understanding import build_interpreter
from flows.loader import parse_flow
from flows.model import Flow
from flows.replies import Reply
from flows.state import SessionState
from nlu import Interpreter
from storage import answers, outbox, participants, sessions
from storage.columns import JsonValue
from storage.models import SessionStatus

CHANNEL = "simulator"
PROMPT = "> "
MAX_SCRIPT_BYTES = 1_000_000
RESIDENT = "resident"


@asynccontextmanager
async def simulation(
    text: str,
    source: str,
    settings: Settings,
    *,
    language: str | None = None,
    today: dt.date | None = None,
    interpreter: Interpreter | None = None,
    show_effects: bool = False,
) -> AsyncIterator[Simulation]:
    """The flow `text` (a file's, or an upload not deployed yet; `source`
    names it in messages) deployed alone on a temporary database, and one
    resident to talk to it. `interpreter`: one built from `settings` already."""
    flow = await asyncio.to_thread(parse_flow, text, source)
    language = language or flow.languages[0]
    if language not in flow.languages:
        raise UserError(
            f"{source}: the flow has no language {language!r}; "
            f"choose one of: {', '.join(flow.languages)}"
        )
    if interpreter is None:
        interpreter = build_interpreter(settings)
    with tempfile.TemporaryDirectory(prefix="consultbot-simulate-") as folder:
        settings = settings.model_copy(
            update={
                "database_url": f"sqlite+aiosqlite:///{Path(folder) / 'simulation.db'}",
                "default_consultation": flow.id,
                "flows_dir": None,
            }
        )
        now = dt.datetime.now(dt.UTC)
        database = await open_database(settings, [], now=now)
        try:
            await deploy_text(database, text, source, now=now, deployed_by="consultbot simulate")
        except BaseException:
            await database.close()
            raise
        pseudonyms = Pseudonymizer(Keys(secrets.token_bytes(32)))  # forgotten with the database
        service = ConversationService(
            database, interpreter, pseudonyms, settings, connect_rasa(settings)
        )
        try:
            yield Simulation(service, flow, language, today, settings, show_effects=show_effects)
        finally:
            await service.close()


@dataclass(frozen=True, slots=True)
class _Stored:
    """What the database holds about the simulated resident."""

    consented: bool = False
    session_id: int | None = None
    status: SessionStatus | None = None
    human_requested: bool = False
    answers: dict[str, JsonValue] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()
    events: tuple[tuple[int, str], ...] = ()  # (id, type) of undelivered events


class Simulation:
    """One resident's conversation through the conversation service."""

    def __init__(
        self,
        service: ConversationService,
        flow: Flow,
        language: str,
        today: dt.date | None,
        settings: Settings,
        *,
        show_effects: bool = False,
    ) -> None:
        self.service = service
        self.flow = flow
        self.language = language
        self.today = today
        self.show_effects = show_effects
        self._expire_after = dt.timedelta(days=settings.sessions.expire_after_days)
        self._elapsed = dt.timedelta()  # time jumped by /return
        self._ids = itertools.count(1)
        self._stored = _Stored()

    async def play(self, lines: Iterable[str], out: TextIO, *, echo: bool, start: bool) -> None:
        """Send each line as a message and print the replies. `start`: the bot
        speaks first, as after Telegram's /start or when the web chat opens.
        `echo`: print each line as the resident's ("> oui"), for transcripts."""
        if start:
            shown = await self.send("/start")
            if shown:
                print("\n".join(shown), file=out, flush=True)
        for line in lines:
            if echo:
                print(f"\n{PROMPT}{line}", file=out)
            shown = await self.send(line)
            if shown:
                print("\n".join(shown), file=out)
            out.flush()

    async def send(self, line: str) -> list[str]:
        """Send one line as the resident; the bot's replies (and, with
        `show_effects`, what it stored) as printable lines."""
        command = line.strip()
        if command.startswith("/lang "):
            code = command.removeprefix("/lang ").strip()
            if code in self.flow.languages:
                self.language = code
            replies = await self.service.change_language(CHANNEL, RESIDENT, code, self._now())
        else:
            if command == "/return":
                self._elapsed += self._expire_after + dt.timedelta(minutes=1)
                line = "/start"
            replies = await self.service.handle(self._message(line))
        shown = [render(reply) for reply in replies]
        if self.show_effects:
            stored = await self._read_stored()
            shown += [f"  (stored: {change})" for change in _changes(self._stored, stored)]
            self._stored = stored
        return shown

    def _message(self, text: str) -> InboundMessage:
        return InboundMessage(
            channel=CHANNEL,
            user_id=RESIDENT,
            text=text,
            message_id=f"m{next(self._ids)}",
            received_at=self._now(),
            consultation_id=self.flow.id,
            language=self.language,
        )

    def _now(self) -> dt.datetime:
        now = dt.datetime.now(REGION_TIMEZONE)
        if self.today is not None:
            now = dt.datetime.combine(self.today, now.timetz())
        return now + self._elapsed

    async def _read_stored(self) -> _Stored:
        pseudonym = self.service.pseudonym(CHANNEL, RESIDENT)
        async with self.service.database.transaction() as session:
            participant = await participants.find(session, CHANNEL, pseudonym)
            if participant is None:
                return _Stored()
            latest = await sessions.latest(session, participant.id)
            pending = await outbox.pending(session, now=self._now(), limit=1000)
            events = tuple((event.id, event.type) for event in pending)
            if latest is None:
                return _Stored(consented=True, events=events)
            current = await answers.current(session, latest.id)
        state = SessionState.from_json(cast(dict[str, object], latest.state))
        return _Stored(
            consented=True,
            session_id=latest.id,
            status=latest.status,
            human_requested=latest.human_requested,
            answers={answer.question_id: answer.value for answer in current},
            skipped=state.skipped,
            events=events,
        )


def read_script(path: Path) -> list[str]:
    """The messages of a script file: one a line, blank and '#' lines skipped."""
    try:
        if path.is_dir():
            raise UserError(f"{path}: this is a directory, not a script file")
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such script file") from None
    except OSError as error:
        raise UserError(f"{path}: cannot read the script ({error.strerror})") from None
    if len(data) > MAX_SCRIPT_BYTES:
        raise UserError(f"{path}: the script is larger than 1 MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{path}: the script is not a UTF-8 text file") from None
    return [
        line
        for line in (raw.rstrip("\r") for raw in text.split("\n"))
        if line.strip() and not line.lstrip().startswith("#")
    ]


def render(reply: Reply) -> str:
    """A reply as text: its text, then its buttons as "[Oui] [Non]"."""
    if not reply.buttons:
        return reply.text
    buttons = " ".join(f"[{button.title}]" for button in reply.buttons)
    return f"{reply.text}\n{buttons}"


def _changes(before: _Stored, after: _Stored) -> list[str]:
    """What one message changed in the database, in words."""
    if before.consented and not after.consented:
        return ["everything about the resident erased"]
    changes = []
    if after.consented and not before.consented:
        changes.append("consent given")
    same_session = before.session_id == after.session_id
    if before.session_id is not None and not same_session:
        changes.append("a new session")
    old_answers = before.answers if same_session else {}
    for question_id, value in after.answers.items():
        if old_answers.get(question_id, _NONE) != value:
            shown = json.dumps(value, ensure_ascii=False)
            changes.append(f"answer to {question_id} = {shown}")
    changes += [f"answer to {q} withdrawn" for q in old_answers if q not in after.answers]
    old_skipped = before.skipped if same_session else ()
    changes += [f"{q} skipped" for q in after.skipped if q not in old_skipped]
    started = before.status is None and after.status == SessionStatus.ACTIVE
    if after.status != before.status and not started:
        changes.append(f"session {after.status}")
    if after.human_requested and not (same_session and before.human_requested):
        changes.append("a moderator is asked to answer")
    known = {event_id for event_id, _ in before.events}
    changes += [f"event {kind}" for event_id, kind in after.events if event_id not in known]
    return changes


_NONE = object()
