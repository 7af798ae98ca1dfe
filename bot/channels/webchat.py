"""The web chat channel: a versioned JSON protocol over one WebSocket per tab.

Protocol version 1, one JSON object per text frame, each with `"v": 1` and a `type`.

Client -> server:
  hello    {"token": str|null, "consultation": str|null, "lang": "fr"|"en"|null,
            "src": str|null (a source tag, bot.source_tags; not a slug: ignored),
            "seen": bool (default false: the client answers team frames with seen)}
           first frame; the token is the participant token the server gave earlier
           (kept in localStorage), so a reload or a reconnect resumes the session.
  message  {"id": str, "text": str}  typed text or the payload of a tapped button;
           `id` is chosen by the client and unique per message. The client keeps a
           message until its reply arrives and sends it again, with the same id,
           after a reconnect; the conversation service is idempotent on the id.
  seen     {"id": str}  a team frame arrived (sent for a repeat too), from a client
           whose hello said "seen": true; until such a tab says so within
           SEEN_WITHIN_S (bot.channels.webchat_push), the message is taken for
           not shown, and goes out again at the next welcome or with the
           resident's next message (then inside a reply)
  ping     {}  answered at once with a pong, even while a reply is being made: a
           client waiting for a slow reply learns that its connection still
           carries frames (a phone moving from Wi-Fi to 4G leaves it open and dead)

Server -> client:
  welcome  {"token": str, "title": str|null, "limits": {...}}  the (possibly new)
           participant token, and the consultation's title in the hello's language
  ack      {"id": str}  the message is in and its reply takes a while (over
           ACK_AFTER_S): the client shows the typing indicator. A quick reply
           comes without an ack (a reply implies it): one frame less per message
  reply    {"id": str, "messages": [{"text", "buttons": [{"title", "payload"}],
           "multi_select", "min_selections"?: int, "max_selections"?: int}]}
           everything the message caused, committed before it is sent; a reply
           for an id already answered is ignored by the client. A multiple
           choice (multi_select) whose flow sets min_selections or max_selections
           says how many boxes its answer takes (a client refuses the tick past
           the maximum at once); other messages have neither key
  error    {"code": str, "message": str, "id"?: str}  the message (if `id`) was not
           handled and stays with the client to be sent again; `message` is for
           people, in the hello's language (catalogue section `protocol`), or the
           deployment's default language before a hello
  pong     {}  the answer to a ping
  team     {"id": str, "text": str, "at": str}  a message from the consultation team
           (a person, not the bot), at any time: pushed while the chat is open,
           else sent right after the next welcome; `at` is when it was written
           (ISO 8601); the id is unique (a client drops a repeat); a client
           whose hello said "seen": true answers `seen`

The frames a client sends are read by `bot/channels/webchat_frames.py`.

Caps per connection: frames over MAX_FRAME_BYTES close it (1009); a sustained
flood closes it (1008) after FLOOD_CLOSE_AFTER refusals in a row, each answered
with a `rate_limited` error frame; a browser page from an origin not allowed is
refused (403).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Final, TypeAlias

import orjson
from aiohttp import WSCloseCode, WSMsgType, web

from bot.channel_contract import ButtonOutdated, Conversations, InboundMessage, Unavailable
from bot.channels.webchat_access import OriginPolicy, ParticipantTokens
from bot.channels.webchat_frames import (
    MAX_TEXT_CHARS,
    PROTOCOL_VERSION,
    HelloFrame,
    MessageFrame,
    PingFrame,
    Refusal,
    SeenFrame,
    read_frame,
)
from bot.errors import UserError
from bot.source_tags import valid_source
from bot.web.lifecycle import Draining, Lifecycle
from flows.catalogue import CATALOGUE
from flows.replies import Reply

if TYPE_CHECKING:
    from bot.channels.webchat_push import WebChatPush
    from storage.team_messages import TeamMessage

log = logging.getLogger(__name__)

MAX_FRAME_BYTES: Final = 16 * 1024
HELLO_TIMEOUT_S: Final = 10.0
# A person types a message every few seconds; a reconnect may resend a few at once.
RATE_BURST: Final = 20
RATE_PER_S: Final = 5.0
FLOOD_CLOSE_AFTER: Final = 50  # messages refused in a row before the socket is closed
QUEUE_SIZE: Final = 8
ACK_AFTER_S: Final = 0.15


# The title of a consultation (None: the default one) in a language, if deployed.
TitleLookup: TypeAlias = Callable[[str | None, str | None], Awaitable[str | None]]


class WebChat:
    """The WebSocket endpoint; one instance per application."""

    def __init__(
        self,
        conversations: Conversations,
        tokens: ParticipantTokens,
        origins: OriginPolicy,
        lifecycle: Lifecycle,
        titles: TitleLookup | None = None,
        push: WebChatPush | None = None,
        default_language: str = "fr",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.conversations = conversations
        self.clock = clock  # seconds, for the rate limit (tests set their own)
        self.tokens = tokens
        self.origins = origins
        self.lifecycle = lifecycle
        self.titles = titles
        self.push = push  # messages from the consultation team
        self.default_language = default_language  # for errors before a hello
        self._sockets: weakref.WeakSet[web.WebSocketResponse] = weakref.WeakSet()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if not self.origins.allows(request):
            message = CATALOGUE.text(
                "protocol", "origin_not_allowed", request.query.get("lang"), self.default_language
            )
            return web.json_response(
                {"error": "origin_not_allowed", "message": message}, status=403
            )
        ws = web.WebSocketResponse(
            max_msg_size=MAX_FRAME_BYTES, heartbeat=30.0, compress=False, timeout=1.0
        )
        await ws.prepare(request)
        self._sockets.add(ws)
        try:
            await _Connection(self, ws).run()
        finally:
            self._sockets.discard(ws)
        return ws

    async def close_all(self) -> None:
        """Tell every open tab the server is going away; they reconnect with backoff."""
        sockets = list(self._sockets)
        await asyncio.gather(
            *(
                ws.close(code=WSCloseCode.GOING_AWAY, message=b"server restarting")
                for ws in sockets
            ),
            return_exceptions=True,
        )


class _Connection:
    __slots__ = (
        "_allowance",
        "_checked_at",
        "_confirms",
        "_consultation",
        "_lang",
        "_participant",
        "_queue",
        "_refused",
        "_returning",
        "_sending",
        "_source",
        "_unanswered",
        "chat",
        "ws",
    )

    def __init__(self, chat: WebChat, ws: web.WebSocketResponse) -> None:
        self.chat = chat
        self.ws = ws
        self._participant = ""
        self._returning = False  # the hello's token named a chat of before
        self._confirms = False  # the hello said the tab answers team frames with `seen`
        self._consultation: str | None = None
        self._lang: str | None = None
        self._source: str | None = None
        self._queue: asyncio.Queue[tuple[str, str] | None] = asyncio.Queue(QUEUE_SIZE)
        self._allowance = float(RATE_BURST)
        self._checked_at = chat.clock()
        self._refused = 0
        self._unanswered: set[str] = set()
        self._sending: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        if not await self._greet():
            return
        leave = await self._join_team_push()
        worker = asyncio.create_task(self._work())
        try:
            async for frame in self.ws:
                if frame.type is WSMsgType.TEXT:
                    await self._on_frame(frame.data)
                elif frame.type is WSMsgType.BINARY:
                    await self._on_invalid("bad_frame", "bad_frame")
        finally:
            leave()
            # Messages not yet started stay with the client, which sends them again.
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put_nowait(None)
            await worker
            self._unanswered.clear()

    async def _greet(self) -> bool:
        try:
            frame = await self.ws.receive(timeout=HELLO_TIMEOUT_S)
        except TimeoutError:
            await self.ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"no hello")
            return False
        if frame.type is not WSMsgType.TEXT:
            if frame.type not in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                await self.ws.close(code=WSCloseCode.PROTOCOL_ERROR, message=b"hello expected")
            return False
        hello = read_frame(frame.data)
        if isinstance(hello, Refusal):
            await self._error(hello.code, hello.text_id, hello.id, **dict(hello.values))
        elif not isinstance(hello, HelloFrame):
            await self._error("bad_hello", "bad_hello")
        if not isinstance(hello, HelloFrame):
            await self.ws.close(code=WSCloseCode.PROTOCOL_ERROR, message=b"hello expected")
            return False
        # A valid token is renewed (its lifetime starts again), anything else
        # gets a new participant.
        participant = self.chat.tokens.verify(hello.token)
        token = self.chat.tokens.issue(participant)
        self._participant = participant or token.partition(".")[0]
        self._returning = participant is not None  # else a new id: no one wrote to it
        self._consultation = hello.consultation
        self._lang = hello.lang
        self._source = valid_source(hello.src)  # not a slug: ignored
        self._confirms = hello.seen
        title = None
        if self.chat.titles is not None:
            try:
                title = await self.chat.titles(hello.consultation, hello.lang)
            except Exception:  # a title is a nicety; the chat works without it
                log.exception("web chat: the consultation's title could not be read")
        await self._send(
            {
                "v": PROTOCOL_VERSION,
                "type": "welcome",
                "token": token,
                "title": title,
                "limits": {"max_text": MAX_TEXT_CHARS, "max_frame_bytes": MAX_FRAME_BYTES},
            }
        )
        return True

    async def _join_team_push(self) -> Callable[[], None]:
        """Messages from the consultation team reach this chat from now on
        (those waiting first); returns what to call when it closes."""
        if self.chat.push is None:
            return lambda: None
        return await self.chat.push.join(
            self._participant,
            self._show_team_message,
            returning=self._returning,
            confirms=self._confirms,
        )

    async def _show_team_message(self, message: TeamMessage) -> bool:
        if self.ws.closed:
            return False
        frame = {
            "v": PROTOCOL_VERSION,
            "type": "team",
            "id": f"team-{message.id}",
            "text": message.text,
            "at": message.created_at.isoformat(),
        }
        try:
            await self.ws.send_str(_text_of(frame))
        except ConnectionError:
            return False
        return True

    async def _on_frame(self, raw: str) -> None:
        frame = read_frame(raw)
        if isinstance(frame, Refusal):
            await self._on_invalid(frame.code, frame.text_id, frame.id, **dict(frame.values))
            return
        if isinstance(frame, PingFrame):
            await self._pong()
            return
        if isinstance(frame, SeenFrame):
            await self._seen(frame.message_id)
            return
        if not isinstance(frame, MessageFrame):
            await self._on_invalid("bad_message", "hello_once")
            return
        if not self._take_allowance() or self._queue.full():
            await self._refuse(frame.id)
            return
        self._refused = 0
        self._queue.put_nowait((frame.id, frame.text))
        self._ack_later(frame.id)

    async def _on_invalid(
        self, code: str, text_id: str, message_id: str | None = None, **values: object
    ) -> None:
        """A frame that is not a message: it spends the allowance of one, so a
        flood of garbage is refused, then closed, like a flood of messages."""
        if not self._take_allowance():
            await self._refuse(message_id)
            return
        await self._error(code, text_id, message_id, **values)

    async def _pong(self) -> None:
        # Answered here, not by the worker: the reply being made must not hold it.
        if self._take_allowance():
            await self._send({"v": PROTOCOL_VERSION, "type": "pong"})
        else:
            await self._refuse(None)

    async def _seen(self, message_id: int) -> None:
        if not self._take_allowance():  # not counted: the message goes out again later
            await self._refuse(None)
        elif self.chat.push is not None:
            self.chat.push.seen(message_id)

    def _ack_later(self, message_id: str) -> None:
        self._unanswered.add(message_id)
        asyncio.get_running_loop().call_later(ACK_AFTER_S, self._ack_now, message_id)

    def _ack_now(self, message_id: str) -> None:
        if message_id not in self._unanswered or self.ws.closed:
            return
        task = asyncio.ensure_future(self._ack(message_id))
        self._sending.add(task)  # held until sent: the loop keeps only weak references
        task.add_done_callback(self._sending.discard)

    async def _ack(self, message_id: str) -> None:
        # Checked again here: an uncompressed frame is written before the first
        # await, so an ack can never follow its reply.
        if message_id in self._unanswered:
            await self._send({"v": PROTOCOL_VERSION, "type": "ack", "id": message_id})

    def _answered(self, message_id: str) -> None:
        self._unanswered.discard(message_id)

    def _take_allowance(self) -> bool:
        now = self.chat.clock()
        self._allowance = min(
            float(RATE_BURST), self._allowance + (now - self._checked_at) * RATE_PER_S
        )
        self._checked_at = now
        if self._allowance < 1.0:
            return False
        self._allowance -= 1.0
        return True

    async def _refuse(self, message_id: str | None) -> None:
        # Told each time, the last one too: the client keeps the message and
        # sends it again later (after a reconnect, once the socket is closed).
        await self._error("rate_limited", "rate_limited", message_id)
        self._refused += 1
        if self._refused >= FLOOD_CLOSE_AFTER:
            await self.ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"too many messages")

    async def _work(self) -> None:
        while (item := await self._queue.get()) is not None:
            message_id, text = item
            inbound = InboundMessage(
                channel="web",
                user_id=self._participant,
                text=text,
                message_id=message_id,
                received_at=dt.datetime.now(dt.UTC),
                consultation_id=self._consultation,
                language=self._lang,
                source=self._source,
            )
            try:
                async with self.chat.lifecycle.message():
                    replies = await self.chat.conversations.handle(inbound)
            except ButtonOutdated as outdated:  # answered: nothing to send again
                replies = outdated.replies
            except Draining:
                await self._error("unavailable", "restarting", message_id)
                continue
            except Unavailable:  # logged by the service; the client sends it again
                await self._error("unavailable", "not_handled", message_id)
                continue
            except UserError as error:  # the server is misconfigured, e.g. no consultation
                log.error("web chat: message not handled: %s", error)
                await self._error("unavailable", "not_handled", message_id)
                continue
            except Exception:
                log.exception("web chat: the conversation service failed on a message")
                await self._error("unavailable", "not_handled", message_id)
                continue
            finally:
                self._answered(message_id)  # no ack needed any more
            await self._send(
                {
                    "v": PROTOCOL_VERSION,
                    "type": "reply",
                    "id": message_id,
                    "messages": [_reply_json(reply) for reply in replies],
                }
            )

    async def _error(
        self, code: str, text_id: str, message_id: str | None = None, **values: object
    ) -> None:
        """Tell the client; `text_id` names the message in the catalogue's
        `protocol` section."""
        message = CATALOGUE.text(
            "protocol", text_id, self._lang, self.chat.default_language, **values
        )
        frame: dict[str, object] = {
            "v": PROTOCOL_VERSION,
            "type": "error",
            "code": code,
            "message": message,
        }
        if message_id is not None:
            frame["id"] = message_id
        await self._send(frame)

    async def _send(self, frame: dict[str, object]) -> None:
        if self.ws.closed:
            return
        # If the tab went away, it sends again what it got no reply for.
        with contextlib.suppress(ConnectionError):
            await self.ws.send_str(_text_of(frame))


def _reply_json(reply: Reply) -> dict[str, object]:
    message: dict[str, object] = {
        "text": reply.text,
        "buttons": [{"title": b.title, "payload": b.payload} for b in reply.buttons],
        "multi_select": reply.multi_select,
    }
    # Only when the flow says so: other messages stay as clients of v1 know them.
    if reply.min_selections is not None:
        message["min_selections"] = reply.min_selections
    if reply.max_selections is not None:
        message["max_selections"] = reply.max_selections
    return message


def _text_of(frame: dict[str, object]) -> str:
    """A frame as the widget reads it: compact JSON, accents as they are
    (what json.dumps(ensure_ascii=False) writes, for far less work)."""
    return orjson.dumps(frame).decode()
