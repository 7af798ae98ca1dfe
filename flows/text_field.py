"""A text in a flow file: a plain string (in the flow's first language) or one
entry per language, `{fr: Bonjour, en: Hello}`.

pydantic reads it with a validator of its own, so that a text YAML read as
something else (a number, true, a list, a mapping a comma cut) gets an error
`flows.schema_errors` can word for an organizer; editors get its JSON Schema
by name (`DEFINITION_MARKER`), as `flows.schema.json_schema` writes it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, TypeAlias

from pydantic import PlainValidator, TypeAdapter, WithJsonSchema
from pydantic_core import PydanticCustomError

LANGUAGE_PATTERN = r"^[a-z]{2,3}$"


def describe(value: object) -> str:
    """A value as an organizer would name it, for messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text '{shown}'"
    if isinstance(value, dt.datetime):
        return f"the date and time {value.isoformat(sep=' ')}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _text(value: object, key: str | None) -> str:
    # Numbers are fine as texts ("2030", "0"), booleans are almost always a mistake.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise PydanticCustomError(
            "translated_type",
            "expected a text, got {got}",
            {"got": describe(value), "key": key},
        )
    if not value.strip():
        raise PydanticCustomError("translated_empty", "the text is empty", {"key": key})
    return value


def _translated(value: object) -> str | dict[str, str]:
    if isinstance(value, dict):
        if not value:
            raise PydanticCustomError("translated_empty", "the text is empty", {"key": None})
        return {str(lang): _text(text, str(lang)) for lang, text in value.items()}
    if isinstance(value, list):
        raise PydanticCustomError(
            "translated_type",
            "expected a text, or a mapping of language to text, got a list",
            {"key": None},
        )
    return _text(value, None)


TEXT_SCHEMA: dict[str, Any] = {
    "description": "A text: either a plain string (in the flow's first language) or a"
    " mapping of language code to text, e.g. {fr: Bonjour, en: Hello}.",
    "anyOf": [
        {"type": ["string", "number"], "minLength": 1},
        {
            "type": "object",
            "propertyNames": {"pattern": LANGUAGE_PATTERN},
            "additionalProperties": {"type": ["string", "number"], "minLength": 1},
            "minProperties": 1,
        },
    ],
}

# pydantic cannot point at a definition it did not make: fields carry this marker,
# which `flows.schema.json_schema` swaps for a reference to its definition by that name.
DEFINITION_MARKER = "x-consultbot-definition"

TranslatedText: TypeAlias = Annotated[
    str | dict[str, str], PlainValidator(_translated), WithJsonSchema({DEFINITION_MARKER: "Text"})
]
TRANSLATED = TypeAdapter(TranslatedText)
