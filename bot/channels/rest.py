"""The REST channel, compatible with Rasa's, so existing clients and chatbot test
tools talk to consultbot unchanged.

`POST /webhooks/rest/webhook` with `{"sender": str, "message": str, "metadata": {}}`
answers a JSON list of `{"recipient_id", "text", "buttons"?: [{"title", "payload"}]}`
once everything the message caused is committed. `GET /webhooks/rest/` answers
`{"status": "ok"}`.

When the message could not be stored (the database failed), the answer is the
same list, saying so, with status 503 and `Retry-After`: send it again later
(with the same `message_id`). While the server restarts: 503, `Retry-After` and
`{"error": "unavailable", "message": ...}`.

Extensions Rasa clients may ignore: `message_id` (a client id of the message: the
same id sent twice is handled once, so a client may retry safely), and in
`metadata`, `consultation` (a consultation id) and `language` ("fr" or "en").
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any, Final, Literal

import orjson
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bot.channel_contract import ButtonOutdated, Conversations, InboundMessage, Unavailable
from bot.errors import UserError
from bot.web.clients import read_body
from bot.web.lifecycle import Draining, Lifecycle

log = logging.getLogger(__name__)

MAX_BODY_BYTES: Final = 16 * 1024
MAX_TEXT_CHARS: Final = 4000
RETRY_AFTER_S: Final = "5"  # seconds, for a 503


class RestMetadata(BaseModel):
    # Rasa clients put anything here; we read only our two keys.
    model_config = ConfigDict(extra="allow", frozen=True)
    consultation: (
        Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")] | None
    ) = None
    language: Literal["fr", "en"] | None = None


class RestMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    sender: str = Field(min_length=1, max_length=256)
    message: str = Field(max_length=MAX_TEXT_CHARS)
    metadata: RestMetadata | None = None
    input_channel: str | None = None  # sent by some Rasa clients; ignored
    # No control characters (NUL above all): refused with 400, never retried.
    message_id: str | None = Field(
        default=None, min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$"
    )


class RestChannel:
    def __init__(self, conversations: Conversations, lifecycle: Lifecycle) -> None:
        self.conversations = conversations
        self.lifecycle = lifecycle

    async def status(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def webhook(self, request: web.Request) -> web.Response:
        body = await read_body(request, MAX_BODY_BYTES)
        if body is None:
            return _error(413, "too_large", f"The body holds at most {MAX_BODY_BYTES} bytes.")
        try:
            message = RestMessage.model_validate_json(body)
        except ValidationError as error:
            return _error(400, *_explain(error))
        metadata = message.metadata or RestMetadata()
        inbound = InboundMessage(
            channel="rest",
            user_id=message.sender,
            text=message.message,
            message_id=message.message_id,
            received_at=dt.datetime.now(dt.UTC),
            consultation_id=metadata.consultation,
            language=metadata.language,
        )
        status = 200
        try:
            async with self.lifecycle.message():
                replies = await self.conversations.handle(inbound)
        except Draining:
            return _error(503, "unavailable", "The server is restarting; send again shortly.")
        except Unavailable as error:  # nothing stored: the client sends it again later
            status, replies = 503, error.replies
        except ButtonOutdated as outdated:  # a button of a question answered since
            replies = outdated.replies
        except UserError as error:  # the server is misconfigured, e.g. no consultation
            log.error("REST channel: message not handled: %s", error)
            return _error(500, "server_error", "The message could not be handled; try again.")
        except Exception:
            log.exception("REST channel: the conversation service failed on a message")
            return _error(500, "server_error", "The message could not be handled; try again.")
        answer: list[dict[str, Any]] = []
        for reply in replies:
            item: dict[str, Any] = {"recipient_id": message.sender, "text": reply.text}
            if reply.buttons:
                item["buttons"] = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
            answer.append(item)
        return web.Response(
            status=status,
            # Compact UTF-8, as json.dumps(ensure_ascii=False) writes it, for far less work.
            body=orjson.dumps(answer),
            content_type="application/json",
            charset="utf-8",
            headers={"Retry-After": RETRY_AFTER_S} if status == 503 else None,
        )


def _explain(error: ValidationError) -> tuple[str, str]:
    problem = error.errors(include_url=False, include_context=False)[0]
    kind = problem["type"]
    if kind == "json_invalid":
        return "bad_json", 'The body must be JSON: {"sender": ..., "message": ...}.'
    where = ".".join(str(part) for part in problem["loc"])
    if kind in ("model_type", "model_attributes_type"):
        if not where:
            return "bad_request", "The body must be a JSON object with sender and message."
        return "bad_request", f"{where}: must be a JSON object."
    if kind == "extra_forbidden":
        return "bad_request", f"{where}: unknown field (expected sender, message, metadata)."
    if kind == "missing":
        return "bad_request", f"{where}: required."
    if kind == "string_pattern_mismatch" and where == "message_id":
        return "bad_request", "message_id: must not contain control characters such as NUL."
    return "bad_request", f"{where}: {problem['msg']}."


def _error(status: int, code: str, message: str) -> web.Response:
    headers = {"Retry-After": RETRY_AFTER_S} if status == 503 else None
    return web.json_response({"error": code, "message": message}, status=status, headers=headers)
