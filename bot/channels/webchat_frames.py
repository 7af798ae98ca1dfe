"""What a web chat client's frame says (the protocol: `bot/channels/webchat`),
or why it is none: read by pydantic, never raising, whatever the text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Final, Literal, TypeAlias, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from flows.catalogue import CATALOGUE

PROTOCOL_VERSION: Final = 1
MAX_TEXT_CHARS: Final = 4000
_ID_PATTERN: Final = r"^[A-Za-z0-9_.:-]{1,64}$"


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # Strict: `true` and `1.0` are not version 1.
    v: StrictInt = Field(ge=PROTOCOL_VERSION, le=PROTOCOL_VERSION)


class HelloFrame(_Frame):
    type: Literal["hello"]
    token: str | None = Field(default=None, max_length=100)
    consultation: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    lang: str | None = None
    src: str | None = Field(default=None, max_length=100)  # a link's source tag
    seen: StrictBool = False  # the client answers team frames with `seen`

    @field_validator("lang")
    @classmethod
    def _catalogue_language(cls, lang: str | None) -> str | None:
        if lang is not None and lang not in CATALOGUE.languages:
            raise ValueError(f"one of {', '.join(CATALOGUE.languages)}")
        return lang


class MessageFrame(_Frame):
    type: Literal["message"]
    id: str = Field(pattern=_ID_PATTERN)
    text: str = Field(max_length=MAX_TEXT_CHARS)


class PingFrame(_Frame):
    type: Literal["ping"]


class SeenFrame(_Frame):
    type: Literal["seen"]
    id: str = Field(pattern=r"^team-[0-9]{1,18}$")  # a team frame's

    @property
    def message_id(self) -> int:
        return int(self.id.removeprefix("team-"))


ClientFrame: TypeAlias = HelloFrame | MessageFrame | PingFrame | SeenFrame
_FRAMES: TypeAdapter[ClientFrame] = TypeAdapter(Annotated[ClientFrame, Field(discriminator="type")])
# The types a client may send, as the error for any other names them: read off
# the frames themselves, so that a new frame is named there too.
FRAME_TYPES: Final = tuple(
    get_args(frame.model_fields["type"].annotation)[0] for frame in get_args(ClientFrame)
)


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a frame is not one: the error frame's code, its message (a text id of
    the catalogue's `protocol` section and its values), and the id of the
    refused message when it has one."""

    code: str
    text_id: str
    values: tuple[tuple[str, object], ...] = ()
    id: str | None = None

    def message(self, *languages: str | None) -> str:
        return CATALOGUE.text("protocol", self.text_id, *languages, **dict(self.values))


def read_frame(raw: str) -> ClientFrame | Refusal:
    """The frame a client sent, or why it is not one. Never raises: any text,
    nested however deep, is a frame or a refusal."""
    try:
        return _FRAMES.validate_json(raw)
    except ValidationError as error:
        code, text_id, values = _explain(error)
        return Refusal(code, text_id, tuple(values.items()), _id_of(raw))


def _explain(error: ValidationError) -> tuple[str, str, dict[str, object]]:
    """The error code, the catalogue's text id and its values."""
    problem = error.errors(include_url=False, include_context=False)[0]
    kind, where = problem["type"], ".".join(str(part) for part in problem["loc"])
    if kind in ("json_invalid", "dict_type", "model_type", "model_attributes_type"):
        return "bad_json", "bad_json", {}
    if where == "v" or where.endswith(".v"):
        return "unsupported_version", "unsupported_version", {"version": PROTOCOL_VERSION}
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return "unknown_type", "unknown_type", {"types": ", ".join(FRAME_TYPES)}
    if where.endswith("text") and kind == "string_too_long":
        return "too_long", "too_long", {"limit": MAX_TEXT_CHARS}
    field = where.split(".", 1)[-1]
    return "bad_message", "bad_field", {"field": field, "problem": problem["msg"]}


class _Identified(BaseModel):
    """Only the id of a frame refused for something else."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    id: str = Field(pattern=_ID_PATTERN)


def _id_of(raw: str) -> str | None:
    """The id of a refused message, so the client stops sending it again. (Read
    by pydantic's parser, which bounds nesting, like the frame itself.)"""
    try:
        return _Identified.model_validate_json(raw).id
    except ValidationError:
        return None
