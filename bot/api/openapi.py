"""The OpenAPI 3.1 description of /api/v1/, served at /api/v1/openapi.json.
Its schemas are JSON Schema 2020-12; the tests check real responses against
them."""

from __future__ import annotations

from typing import Any

_TEXTS = {"type": "object", "additionalProperties": {"type": "string"}}
_STRING_OR_NULL = {"type": ["string", "null"]}
_CURSOR = {
    "name": "after",
    "in": "query",
    "required": False,
    "description": "The next_cursor of the previous page of the same feed (a cursor of "
    "another route or consultation is refused: 400 invalid_cursor); leave out to start at "
    "the beginning.",
    "schema": {"type": "string"},
}
_LIMIT = {
    "name": "limit",
    "in": "query",
    "required": False,
    "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
}


def _record(
    properties: dict[str, Any], *, optional: tuple[str, ...] = (), **keywords: Any
) -> dict[str, Any]:
    """A JSON object with `properties` and no others, each always present but
    the `optional` ones; `keywords` besides (a description)."""
    return {
        "type": "object",
        **keywords,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
        "properties": properties,
    }


def _page(item: str) -> dict[str, Any]:
    return _record(
        {
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
            "next_cursor": {"type": "string", "description": "Pass as `after` to read on."},
            "has_more": {"type": "boolean"},
        }
    )


_UNREADABLE_FLOW = _record(
    {"reason": {"type": "string"}},
    description="Only when this server cannot read the flow version (its definition "
    "damaged): the fields that need it (a consultation's title, languages, dates and "
    "questions; a contribution's answers) are absent; the server's log names it.",
)
_FROM_THE_FLOW = ("title", "languages", "opens", "closes", "partial_contributions", "questions")

_SCHEMAS: dict[str, Any] = {
    "Error": _record({"code": {"type": "string"}, "message": {"type": "string"}}),
    "Consultation": _record(
        {
            "id": {"type": "string"},
            "title": _TEXTS,
            "languages": {"type": "array", "items": {"type": "string"}},
            "version": {"type": "integer"},
            "deployed_at": {"type": "string", "format": "date-time"},
            "opens": {
                "type": ["string", "null"],
                "format": "date",
                "description": "The first day residents may contribute (YYYY-MM-DD): the "
                "date an organizer set in the console, else the flow file's; null: no limit.",
            },
            "closes": {
                "type": ["string", "null"],
                "format": "date",
                "description": "The last day residents may contribute, likewise (closing "
                "it in the console makes it yesterday).",
            },
            "partial_contributions": {"type": "boolean"},
            "questions": {
                "type": "array",
                "items": _record(
                    {
                        "id": {"type": "string"},
                        "type": {"type": "string"},
                        "text": _TEXTS,
                        "choices": {
                            "type": "array",
                            "items": _record({"id": {"type": "string"}, "label": _TEXTS}),
                        },
                    }
                ),
            },
            "unreadable": _UNREADABLE_FLOW,
        },
        optional=(*_FROM_THE_FLOW, "unreadable"),
    ),
    "ConsultationList": _record(
        {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Consultation"}}}
    ),
    "Answer": _record(
        {
            "id": {"type": "string", "pattern": "^ans_"},
            "question": {"type": "string"},
            "type": {"type": "string"},
            "value": {
                "description": "A choice id, a list of choice ids, a number, a yes/no, a"
                " postal code, a commune, a date; for free text the approved, redacted text.",
                "type": ["string", "integer", "number", "boolean", "array"],
            },
            "labels": {"type": "array", "items": {"type": "string"}},
            "wording": {"type": "string", "description": "The question exactly as asked."},
            "language": {"type": "string"},
        }
    ),
    "Contribution": _record(
        {
            "id": {"type": "string", "pattern": "^ctb_"},
            "consultation": {"type": "string"},
            "flow_version": {"type": "integer"},
            "status": {"enum": ["completed", "partial"]},
            "channel": {"type": "string"},
            "language": {"type": "string"},
            "completed_at": {"type": "string", "format": "date-time"},
            "participant": {
                "type": "string",
                "description": "Pseudonym of the resident, scoped to this consultation.",
            },
            "answers": {"type": "array", "items": {"$ref": "#/components/schemas/Answer"}},
            "unreadable": _UNREADABLE_FLOW,
        },
        optional=("answers", "unreadable"),
    ),
    "ContributionPage": _page("Contribution"),
    "Event": _record(
        {
            "id": {"type": "string", "pattern": "^evt_", "description": "= webhook-id"},
            "type": {
                "enum": [
                    "contribution.completed",
                    "contribution.partial",
                    "answer.approved",
                    "answer.rejected",
                    "participant.erased",
                    "consultation.deployed",
                    "event.unreadable",
                ],
                "description": "event.unreadable: an event this server stored but cannot "
                "read (its data damaged, or of a type a newer version wrote), given in its "
                "place so that the feed goes on; the server's log names it by its id.",
            },
            "timestamp": {"type": "string", "format": "date-time"},
            "data": {
                "anyOf": [
                    {"$ref": "#/components/schemas/Contribution"},
                    _record(
                        {
                            "contribution": _STRING_OR_NULL,
                            "answer": {"type": "string"},
                            "consultation": _STRING_OR_NULL,
                            "question": _STRING_OR_NULL,
                            "text": {"type": "string"},
                            "tags": {"type": "array", "items": {"type": "string"}},
                            "reason": _STRING_OR_NULL,
                            "erased": {"const": True},
                        },
                        optional=("text", "tags", "reason", "erased"),
                        description="answer.approved / answer.rejected",
                    ),
                    _record(
                        {"contributions": {"type": "array", "items": {"type": "string"}}},
                        description="participant.erased: delete these contributions",
                    ),
                    _record(
                        {
                            "contribution": {"type": "string"},
                            "erased": {"const": True},
                        },
                        description="a contribution whose resident erased their data",
                    ),
                    _record(
                        {
                            "consultation": {"type": "string"},
                            "version": {"type": "integer"},
                            "title": _STRING_OR_NULL,
                        },
                        optional=("title",),
                        description="consultation.deployed",
                    ),
                    _record(
                        {
                            "type": {"type": "string", "description": "The type it was stored as"},
                            "reason": {"type": "string"},
                        },
                        description="event.unreadable: no data; ask whoever runs the server, "
                        "giving the event's id",
                    ),
                ]
            },
        }
    ),
    "EventPage": _page("Event"),
}


def _responses(schema: str) -> dict[str, Any]:
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {
        "200": {
            "description": "OK",
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
        },
        "400": {"description": "Bad cursor, limit or type", **error},
        "401": {"description": "No token, or an unknown or revoked one", **error},
        "403": {"description": "The token lacks the scope", **error},
        "404": {"description": "Unknown consultation", **error},
        "429": {"description": "Rate limited (see Retry-After)", **error},
        "500": {"description": "An unexpected failure, logged on the server", **error},
        "503": {"description": "The database is unavailable: try again", **error},
    }


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "consultbot engine feed",
            "version": "1.0.0",
            "description": "Contributions of residents and the event feed, for the region's"
            " consultation engine. Free text appears only once approved, redacted.",
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/consultations": {
                "get": {
                    "summary": "The consultations, with their live version's questions",
                    "description": "Scope contributions:read.",
                    "responses": _responses("ConsultationList"),
                }
            },
            "/api/v1/consultations/{consultation}/contributions": {
                "get": {
                    "summary": "A consultation's contributions in commit order",
                    "description": "Scope contributions:read.",
                    "parameters": [
                        {
                            "name": "consultation",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        _CURSOR,
                        _LIMIT,
                    ],
                    "responses": _responses("ContributionPage"),
                }
            },
            "/api/v1/events": {
                "get": {
                    "summary": "The event feed, replayable from any cursor",
                    "description": "Scope events:read.",
                    "parameters": [
                        _CURSOR,
                        _LIMIT,
                        {
                            "name": "type",
                            "in": "query",
                            "required": False,
                            "description": "Comma-separated event types (default: all).",
                            "schema": {"type": "string"},
                        },
                    ],
                    "responses": _responses("EventPage"),
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {"200": {"description": "OpenAPI 3.1 document"}},
                }
            },
        },
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
