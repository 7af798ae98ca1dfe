"""A fake Telegram Bot API server on 127.0.0.1, written from the Bot API reference.

It speaks the real protocol over real HTTP: every method is a POST to
`/bot<token>/<method>` with a form-encoded (nested objects as JSON strings) or JSON
body; success is HTTP 200 `{"ok": true, "result": ...}`; errors carry the same
HTTP status as their `error_code` (400, 401, 403, 404, 409, 429 with
`parameters.retry_after`, 5xx). getUpdates long-polls a queue of updates and
confirms them by `offset`; once setWebhook is called, updates are POSTed to the
webhook with the `X-Telegram-Bot-Api-Secret-Token` header and redelivered until
answered 2xx, and getUpdates answers 409.

Tests play the residents (`user_sends`, `user_taps`, ...), read what the bot did
(`sent`, `edits`, `callback_answers`), wait for it (`wait_for_messages`), and
inject failures (`fail_next`, `block`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

TOKEN = "123456789:AAF-fake-token_for-tests"
# Update types of the Bot API; a type it does not list stands for a newer API.
KNOWN_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "callback_query",
        "inline_query",
        "chosen_inline_result",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "message_reaction",
        "message_reaction_count",
    }
)
SENDING_METHODS = frozenset(
    {"sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery"}
)


class ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


@dataclass
class Failure:
    status: int
    description: str
    retry_after: int | None
    methods: frozenset[str]


@dataclass
class Resident:
    id: int
    first_name: str = "Camille"
    language_code: str | None = "fr"

    def as_user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def as_chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": "private", "first_name": self.first_name}


@dataclass
class FakeBotApi:
    token: str = TOKEN
    username: str = "consultbot_test_bot"
    bot_id: int = 123456789
    updates: list[dict[str, Any]] = field(default_factory=list)  # not yet confirmed
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)  # sendMessage results
    edits: list[dict[str, Any]] = field(default_factory=list)
    callback_answers: list[dict[str, Any]] = field(default_factory=list)
    commands: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    webhook: dict[str, Any] = field(default_factory=dict)
    # getUpdates calls cut short by another one, as Telegram does when two
    # processes poll one bot: 409 "terminated by other getUpdates request".
    poll_conflicts: int = 0
    webhook_responses: list[int] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    # As Telegram does: after a 429, refuse every sending call until its
    # retry_after has passed, and count those that came too early.
    enforce_flood_wait: bool = False
    too_early: int = 0
    sent_at: list[float] = field(default_factory=list)  # monotonic, per sendMessage

    def __post_init__(self) -> None:
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._open_queries: dict[str, dict[str, Any]] = {}
        self._failures: deque[Failure] = deque()
        self._update_ids = itertools.count(10_000)
        self._message_ids = itertools.count(1)
        self._query_ids = itertools.count(900)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._delivery: asyncio.Task[None] | None = None
        self._client: ClientSession | None = None
        self.port = 0
        self._closing = False
        self._allowed: list[str] | None = None
        self._flood_until = 0.0
        self._polls = itertools.count(1)
        self._latest_poll = 0

    # --- server ---------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._endpoint)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self.base_url

    @property
    def base_url(self) -> str:
        """What `telegram.api_base_url` must be set to (the token is appended)."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def close(self) -> None:
        self._closing = True
        await self.notify()
        if self._delivery is not None:
            self._delivery.cancel()
            await asyncio.gather(self._delivery, return_exceptions=True)
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _endpoint(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        params = await _params(request)
        self.calls.append((method, params))
        handler = getattr(self, "_m_" + method, None)
        if handler is None:
            return _error(ApiError(404, "Not Found: method not found"))
        try:
            self._maybe_fail(method)
            result = await handler(params)
        except ApiError as error:
            return _error(error)
        await self.notify()
        return web.json_response({"ok": True, "result": result})

    def _maybe_fail(self, method: str) -> None:
        now = time.monotonic()
        if self.enforce_flood_wait and method in SENDING_METHODS and now < self._flood_until:
            self.too_early += 1
            wait = max(1, int(self._flood_until - now + 0.999))
            raise ApiError(429, f"Too Many Requests: retry after {wait}", wait)
        if self._failures and method in self._failures[0].methods:
            failure = self._failures.popleft()
            if failure.retry_after is not None:
                self._flood_until = now + failure.retry_after
            raise ApiError(failure.status, failure.description, failure.retry_after)

    async def notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # --- methods --------------------------------------------------------------

    async def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._bot_user()

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset", 0))
        limit = int(params.get("limit", 100))
        timeout = float(params.get("timeout", 0))
        if "allowed_updates" in params:  # sticky, as on Telegram's side
            self._allowed = _as_list(params["allowed_updates"]) or None
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        # Updates of a type the bot did not ask for are never delivered.
        self.updates = [u for u in self.updates if self._wanted(u)]
        deadline = time.monotonic() + timeout
        poll = self._latest_poll = next(self._polls)
        await self.notify()  # a poll still waiting learns it was overtaken
        async with self._changed:
            while not self.updates and not self._closing and time.monotonic() < deadline:
                if poll != self._latest_poll:
                    self.poll_conflicts += 1
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that "
                        "only one bot instance is running",
                    )
                try:
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                except TimeoutError:
                    break
        return self.updates[:limit]

    async def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url", "")
        secret = params.get("secret_token")
        if secret is not None and not (
            1 <= len(secret) <= 256
            and all(c.isascii() and (c.isalnum() or c in "_-") for c in secret)
        ):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": _as_list(params.get("allowed_updates")),
        }
        if "allowed_updates" in params:
            self._allowed = self.webhook["allowed_updates"] or None
        if _truthy(params.get("drop_pending_updates")):
            self.updates.clear()
        if url and self._delivery is None:
            self._delivery = asyncio.create_task(self._deliver())
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        if _truthy(params.get("drop_pending_updates")):
            self.updates.clear()
        return True

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }
        if self.webhook.get("allowed_updates"):
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    async def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = _as_list(params.get("commands"))
        for command in commands:
            name = command.get("command", "")
            if not (
                1 <= len(name) <= 32 and all(c.islower() or c.isdigit() or c == "_" for c in name)
            ):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[params.get("language_code", "")] = commands
        return True

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        text = params.get("text", "")
        _check_text(text)
        markup = _markup(params.get("reply_markup"))
        message_id = next(self._message_ids)
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": self._bot_user(),
            "chat": {"id": chat_id, "type": "private", "first_name": "Camille"},
            "date": int(time.time()),
            "text": text,
        }
        if markup is not None:
            message["reply_markup"] = markup
        self._messages[(chat_id, message_id)] = message
        self.sent.append(message)
        self.sent_at.append(time.monotonic())
        return message

    async def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._message(params)
        text = params.get("text", "")
        _check_text(text)
        markup = _markup(params.get("reply_markup"))
        if text == message["text"] and markup == message.get("reply_markup"):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        message["text"] = text
        _set_markup(message, markup)
        self.edits.append({"method": "editMessageText", **_copy(message)})
        return message

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._message(params)
        markup = _markup(params.get("reply_markup"))
        if markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        _set_markup(message, markup)
        self.edits.append({"method": "editMessageReplyMarkup", **_copy(message)})
        return message

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = params.get("callback_query_id", "")
        query = self._open_queries.pop(query_id, None)
        if query is None:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        text = params.get("text")
        if text is not None and len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.callback_answers.append({"id": query_id, "text": text, "data": query.get("data")})
        return True

    async def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        return True

    @property
    def allowed_updates(self) -> list[str] | None:
        """What the bot last asked for with getUpdates or setWebhook."""
        return self._allowed

    def _wanted(self, update: dict[str, Any]) -> bool:
        kinds = set(update) - {"update_id"}
        if self._allowed is None:  # Telegram's default: all but these
            return not kinds & {"chat_member", "message_reaction", "message_reaction_count"}
        return bool(kinds & set(self._allowed)) or not kinds & KNOWN_UPDATE_TYPES

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params.get("chat_id", 0)), int(params.get("message_id", 0)))
        if key[0] in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        message = self._messages.get(key)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Consultation",
            "username": self.username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    # --- playing the residents -------------------------------------------------

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (given its update_id when it has none)."""
        update.setdefault("update_id", next(self._update_ids))
        self.updates.append(update)
        asyncio.get_running_loop().create_task(self.notify())
        return update

    def user_sends(self, resident: Resident, text: str) -> dict[str, Any]:
        message = self._user_message(resident)
        message["text"] = text
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self.push({"message": message})

    def user_sends_content(self, resident: Resident, kind: str) -> dict[str, Any]:
        """A photo, voice note, sticker, location or contact."""
        contents: dict[str, Any] = {
            "photo": [{"file_id": "AgAD1", "file_unique_id": "u1", "width": 90, "height": 90}],
            "voice": {"file_id": "AwAD2", "file_unique_id": "u2", "duration": 3},
            "sticker": {
                "file_id": "CAAD3",
                "file_unique_id": "u3",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            },
            "location": {"latitude": 47.9, "longitude": 1.9},
            "contact": {"phone_number": "+33600000000", "first_name": "Camille"},
        }
        message = self._user_message(resident)
        message[kind] = contents[kind]
        return self.push({"message": message})

    def user_edits(self, resident: Resident, update: dict[str, Any], text: str) -> dict[str, Any]:
        edited = dict(update["message"], text=text, edit_date=int(time.time()))
        return self.push({"edited_message": edited})

    def user_blocks(self, resident: Resident) -> dict[str, Any]:
        self.blocked.add(resident.id)
        return self.push(
            {
                "my_chat_member": {
                    "chat": resident.as_chat(),
                    "from": resident.as_user(),
                    "date": int(time.time()),
                    "old_chat_member": {"status": "member", "user": self._bot_user()},
                    "new_chat_member": {
                        "status": "kicked",
                        "user": self._bot_user(),
                        "until_date": 0,
                    },
                }
            }
        )

    def user_taps(
        self,
        resident: Resident,
        message: dict[str, Any],
        title: str,
        *,
        data: str | None = None,
        inaccessible: bool = False,
    ) -> dict[str, Any]:
        """Tap the button titled `title` (or containing it) of one of our messages,
        as the message looks now; `data` forces the callback data sent;
        `inaccessible`: the message is too old for Telegram to include it."""
        current = self._messages[(message["chat"]["id"], message["message_id"])]
        if data is None:
            data = self.button_data(current, title)
        query_id = str(next(self._query_ids))
        query = {
            "id": query_id,
            "from": resident.as_user(),
            "message": (
                {"chat": resident.as_chat(), "message_id": current["message_id"], "date": 0}
                if inaccessible
                else _copy(current)
            ),
            "chat_instance": f"ci{resident.id}",
            "data": data,
        }
        self._open_queries[query_id] = query
        return self.push({"callback_query": query})

    def button_data(self, message: dict[str, Any], title: str) -> str:
        current = self._messages[(message["chat"]["id"], message["message_id"])]
        rows = current.get("reply_markup", {}).get("inline_keyboard", [])
        for row in rows:
            for button in row:
                if button["text"] == title or title in button["text"]:
                    return str(button["callback_data"])
        raise AssertionError(f"no button {title!r} on message {current['text']!r}")

    def message_now(self, message: dict[str, Any]) -> dict[str, Any]:
        return self._messages[(message["chat"]["id"], message["message_id"])]

    def _user_message(self, resident: Resident) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "from": resident.as_user(),
            "chat": resident.as_chat(),
            "date": int(time.time()),
        }

    # --- failures -------------------------------------------------------------

    def fail_next(
        self,
        count: int,
        status: int = 429,
        *,
        retry_after: int | None = 1,
        methods: frozenset[str] = SENDING_METHODS,
    ) -> None:
        descriptions = {
            429: f"Too Many Requests: retry after {retry_after}",
            500: "Internal Server Error",
            502: "Bad Gateway",
        }
        for _ in range(count):
            self._failures.append(
                Failure(
                    status,
                    descriptions.get(status, "Error"),
                    retry_after if status == 429 else None,
                    methods,
                )
            )

    def block(self, resident: Resident) -> None:
        self.blocked.add(resident.id)

    # --- what the bot did -----------------------------------------------------

    def messages_to(self, resident: Resident) -> list[dict[str, Any]]:
        return [m for m in self.sent if m["chat"]["id"] == resident.id]

    async def wait_for(self, predicate: Any, within: float = 15.0) -> None:
        """Until predicate() holds; a failure names what was awaited."""
        deadline = time.monotonic() + within
        async with self._changed:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"fake Bot API: gave up waiting for {predicate}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), min(remaining, 0.2))

    async def wait_for_messages(
        self, resident: Resident, count: int, within: float = 15.0
    ) -> list[dict[str, Any]]:
        await self.wait_for(lambda: len(self.messages_to(resident)) >= count, within)
        return self.messages_to(resident)

    async def wait_confirmed(self, within: float = 15.0) -> None:
        """Until every queued update was fetched and confirmed (or delivered)."""
        await self.wait_for(lambda: not self.updates, within)

    # --- webhook delivery -----------------------------------------------------

    async def _deliver(self) -> None:
        """Like Telegram: POST each update to the webhook, in order, until 2xx."""
        self._client = ClientSession(timeout=ClientTimeout(total=30))
        while True:
            async with self._changed:
                while not (self.updates and self.webhook.get("url")):
                    await self._changed.wait()
            update = self.updates[0]
            if not self._wanted(update):
                self.updates.pop(0)
                continue
            headers = {"Content-Type": "application/json"}
            if self.webhook.get("secret_token"):
                headers[SECRET_HEADER] = self.webhook["secret_token"]
            try:
                async with self._client.post(
                    self.webhook["url"], data=json.dumps(update), headers=headers
                ) as response:
                    await response.read()
                    status = response.status
            except OSError:
                status = 0
            self.webhook_responses.append(status)
            if 200 <= status < 300 and self.updates and self.updates[0] is update:
                self.updates.pop(0)
            else:
                await asyncio.sleep(0.05)  # Telegram waits longer, growing
            await self.notify()


SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def _params(request: web.Request) -> dict[str, Any]:
    """Form fields (nested objects arrive as JSON strings) or a JSON body."""
    if request.content_type == "application/json":
        body = await request.json()
        return dict(body) if isinstance(body, dict) else {}
    form = await request.post()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _error(error: ApiError) -> web.Response:
    body: dict[str, Any] = {
        "ok": False,
        "error_code": error.status,
        "description": error.description,
    }
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return web.json_response(body, status=error.status)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        value = json.loads(value)
    return list(value)


def _markup(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    markup = json.loads(value) if isinstance(value, str) else value
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode("utf-8")) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return dict(markup)


def _set_markup(message: dict[str, Any], markup: dict[str, Any] | None) -> None:
    if markup is None or not markup.get("inline_keyboard"):
        message.pop("reply_markup", None)
    else:
        message["reply_markup"] = markup


def _check_text(text: str) -> None:
    units = len(text.encode("utf-16-le")) // 2
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if units > 4096:
        raise ApiError(400, "Bad Request: message is too long")


def _truthy(value: Any) -> bool:
    return value in (True, "true", "True", "1", 1)


def _copy(value: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(json.dumps(value)))
