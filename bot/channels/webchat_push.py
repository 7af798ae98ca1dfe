"""Team messages pushed to residents' open web chats, whichever `serve`
process holds the chat.

Each process keeps its open chats by the resident's pseudonym (`join` when a
chat says hello, the returned function when it closes). A chat that opens is
sent at once what waits for it. A new message (`push`, after it was committed)
is shown by this process if the chat is open here; otherwise, on PostgreSQL,
a notification carrying only the message's id ("q:<id>") reaches every
process, and the one holding the chat shows it and answers (within
`confirm_within` seconds; the message is then shown anyway if it arrives
later): "d:<id>" delivered, or "s:<id>" written to tabs that confirm, followed
by "d:<id>" once one says `seen` or "n:<id>" once it was given back. On
SQLite, one process serves everything: no notification is needed.

Taking a message for display is a claim in the database, so a message is shown
once even if two processes or tabs race for it; a chat that closed in between
gives it back. Written to a socket is not yet shown: a connection that died
unnoticed (a phone leaving Wi-Fi for 4G) takes the frame and shows nothing. So
a message shown only in tabs that `confirm` (the widget does) stays delivered
once one of them says it has it (`seen`, within `seen_within` seconds);
otherwise it is given back, to go out at the chat's next welcome or with the
resident's next message. `push` returns only then, so the console tells the
moderator what the resident has, not what a socket took (up to `seen_within`
seconds: a widget confirms within a round trip). A tab that does not confirm (a
client of the protocol from before) is trusted, as before: given back, the
message would reach it twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Final, TypeAlias

from storage import participants, team_messages
from storage.database import Database
from storage.notifications import Listener, notify
from storage.team_messages import TeamMessage

log = logging.getLogger(__name__)

NOTIFY_CHANNEL: Final = "consultbot_team"
WEB: Final = "web"
CONFIRM_WITHIN_S: Final = 1.0
# A phone's round trip, with room: a tab that has not said it has a message by
# then is taken for one that never got it.
SEEN_WITHIN_S: Final = 5.0

# Shows a team message in one open chat; whether it was written to the socket.
Show: TypeAlias = Callable[[TeamMessage], Awaitable[bool]]


@dataclass(slots=True)
class _Unseen:
    """A message written only to tabs that confirm, none of which said `seen`
    yet: `settled` becomes True when one does, False once it was given back."""

    settled: asyncio.Future[bool]
    timer: asyncio.TimerHandle | None = field(default=None)

    def settle(self, seen: bool) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if not self.settled.done():
            self.settled.set_result(seen)


class WebChatPush:
    def __init__(
        self,
        database: Database,
        pseudonym: Callable[[str, str], str],
        *,
        confirm_within: float = CONFIRM_WITHIN_S,
        seen_within: float = SEEN_WITHIN_S,
    ) -> None:
        self._db = database
        self._pseudonym = pseudonym
        self._confirm_within = confirm_within
        self.seen_within = seen_within  # seconds (tests set their own)
        self._unseen: dict[int, _Unseen] = {}  # shown, no tab said so yet
        self._chats: dict[str, list[Show]] = {}
        self._confirming: set[Show] = set()  # tabs that say `seen`
        # Pushed to another process: its answers ("s", "d", "n"), as they come.
        self._answers: dict[int, asyncio.Queue[str]] = {}
        self._listener: Listener | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    async def start(
        cls,
        database: Database,
        pseudonym: Callable[[str, str], str],
        *,
        confirm_within: float = CONFIRM_WITHIN_S,
    ) -> WebChatPush:
        """Ready to push; on PostgreSQL, listening to the other processes."""
        push = cls(database, pseudonym, confirm_within=confirm_within)
        if database.backend == "postgresql":
            push._listener = await Listener.start(database, NOTIFY_CHANNEL, push._notified)
        return push

    async def close(self) -> None:
        if self._listener is not None:
            await self._listener.close()
        # Their tabs reconnect (to another process, perhaps): given back, they go
        # out at the welcome, where a tab that had one drops the repeat by its id.
        for message_id in list(self._unseen):
            unseen = self._unseen.pop(message_id)
            await self._give_back_or_log(message_id)
            unseen.settle(False)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def join(
        self, user_id: str, show: Show, *, returning: bool = True, confirms: bool = False
    ) -> Callable[[], None]:
        """A resident's chat is open (`user_id`: the web chat's participant id):
        what waits for them is shown now, what comes later while it stays open.
        Returns the function to call when the chat closes. Not `returning`: the
        id was just given to a new chat, nothing can wait for it, and nothing is
        looked up (a transaction for every chat opened: on PostgreSQL about a
        tenth of the server's CPU a message over the WebSocket, bench/load.py).
        `confirms`: the tab says `seen` for each message it shows."""
        key = self._pseudonym(WEB, user_id)
        self._chats.setdefault(key, []).append(show)
        if confirms:
            self._confirming.add(show)

        def leave() -> None:
            self._confirming.discard(show)
            shows = self._chats.get(key, [])
            with contextlib.suppress(ValueError):
                shows.remove(show)
            if not shows:
                self._chats.pop(key, None)

        if not returning:
            return leave
        try:
            await self._show_waiting(key, show)
        except Exception:  # the chat works without; they get them with their next message
            log.exception("web chat: team messages waiting for a resident were not shown")
        return leave

    async def push(self, message_id: int) -> bool:
        """Show a committed message in the resident's open chat, if any process
        has it open; whether the resident has it: shown in a tab that does not
        confirm, or said `seen` by one that does (False once it was given back
        to wait for their next visit)."""
        shown = await self._show(message_id)
        if shown is not None:
            # Shielded: a console request that goes away must not cancel what
            # the tab's `seen` or the clock settles.
            return await asyncio.shield(shown)
        if self._listener is None:
            return False
        return await self._push_elsewhere(message_id)

    def seen(self, message_id: int) -> None:
        """A tab says it shows the message: it stays delivered."""
        unseen = self._unseen.pop(message_id, None)
        if unseen is not None:
            unseen.settle(True)

    # ---- inside -------------------------------------------------------------

    async def _push_elsewhere(self, message_id: int) -> bool:
        """Ask the other processes to show the message; whether the one holding
        the chat says the resident has it."""
        answers: asyncio.Queue[str] = asyncio.Queue()
        self._answers[message_id] = answers
        try:
            async with self._db.transaction() as session:
                await notify(session, NOTIFY_CHANNEL, f"q:{message_id}")
            async with asyncio.timeout(self._confirm_within):
                answer = await answers.get()
            if answer == "s":  # written to tabs that confirm: wait for their `seen`
                async with asyncio.timeout(self.seen_within + self._confirm_within):
                    answer = await answers.get()
            return answer == "d"
        except TimeoutError:
            return False
        finally:
            self._answers.pop(message_id, None)

    def _expect_seen(self, message_id: int) -> asyncio.Future[bool]:
        """Registered before the message is written: a `seen` that comes back
        while other tabs are still being written to is not missed."""
        unseen = self._unseen.get(message_id)
        if unseen is None:
            unseen = _Unseen(asyncio.get_running_loop().create_future())
            self._unseen[message_id] = unseen
        return unseen.settled

    def _await_seen(self, message_id: int) -> None:
        """The clock starts once written; no-op if a tab said `seen` already."""
        unseen = self._unseen.get(message_id)
        if unseen is not None and unseen.timer is None:
            loop = asyncio.get_running_loop()
            unseen.timer = loop.call_later(self.seen_within, self._not_seen, message_id)

    def _not_seen(self, message_id: int) -> None:
        unseen = self._unseen.pop(message_id, None)
        if unseen is None:
            return
        task = asyncio.get_running_loop().create_task(
            self._give_back_then_settle(message_id, unseen)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _give_back_then_settle(self, message_id: int, unseen: _Unseen) -> None:
        # Settled after: whoever waits reads the message's state as given back.
        try:
            await self._give_back_or_log(message_id)
        finally:
            unseen.settle(False)

    async def _give_back_or_log(self, message_id: int) -> None:
        try:
            await self._give_back(message_id)
        except Exception:  # it stays delivered: the team sees it so, the resident may not
            log.exception("web chat: team message %d not seen, and not given back", message_id)

    async def _show_waiting(self, key: str, show: Show) -> None:
        now = dt.datetime.now(dt.UTC)
        async with self._db.transaction() as session:
            found = await participants.find(session, WEB, key)
            if found is None:
                return
            waiting = await team_messages.claim_waiting(session, found.id, now=now)
        for message in waiting:
            confirms = show in self._confirming
            if confirms:
                self._expect_seen(message.id)
            if not await show(message):
                self._forget_unseen(message.id)
                await self._give_back(message.id)
            elif confirms:
                self._await_seen(message.id)

    async def _show(self, message_id: int) -> asyncio.Future[bool] | None:
        """Show the message if its resident's chat is open in this process:
        None if it was not; else what tells whether the resident has it (at
        once for a tab that does not confirm, at `seen` or give-back else)."""
        if not self._chats:
            return None
        async with self._db.transaction() as session:
            addressee = await team_messages.addressee(session, message_id)
        if addressee is None or addressee[0] != WEB or addressee[1] not in self._chats:
            return None
        async with self._db.transaction() as session:
            message = await team_messages.claim(session, message_id, now=dt.datetime.now(dt.UTC))
        if message is None:  # shown already, or erased
            return None
        tabs = list(self._chats.get(addressee[1], []))  # every open tab
        settled = self._expect_seen(message_id)
        shown = trusted = False  # trusted: shown in a tab that does not confirm
        for show in tabs:
            if await show(message):
                shown = True
                trusted = trusted or show not in self._confirming
        if not shown or trusted:
            self._forget_unseen(message_id)
        if not shown:
            await self._give_back(message_id)
            return None
        if trusted:
            return _settled(True)
        self._await_seen(message_id)
        return settled

    def _forget_unseen(self, message_id: int) -> None:
        unseen = self._unseen.pop(message_id, None)
        if unseen is not None:
            unseen.settle(False)

    async def _give_back(self, message_id: int) -> None:
        async with self._db.transaction() as session:
            await team_messages.release(session, message_id)

    def _notified(self, payload: str) -> None:
        kind, _, number = payload.partition(":")
        if not number.isdigit():
            return
        message_id = int(number)
        answers = self._answers.get(message_id)
        if kind in ("s", "d", "n") and answers is not None:
            answers.put_nowait(kind)
        elif kind == "q" and self._chats and answers is None:
            task = asyncio.get_running_loop().create_task(self._show_notified(message_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _show_notified(self, message_id: int) -> None:
        try:
            shown = await self._show(message_id)
            if shown is None:
                return
            if not shown.done():
                await self._answer(f"s:{message_id}")
            await self._answer(f"{'d' if await shown else 'n'}:{message_id}")
        except Exception:  # it waits for the resident's next visit
            log.exception("web chat: a team message announced by another process failed")

    async def _answer(self, payload: str) -> None:
        async with self._db.transaction() as session:
            await notify(session, NOTIFY_CHANNEL, payload)


def _settled(result: bool) -> asyncio.Future[bool]:
    done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    done.set_result(result)
    return done
