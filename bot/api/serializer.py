"""The public shape of what leaves for the consultation engine: consultations,
contributions and events, as the API pages, the webhooks and the exports show
them. Internal records (outbox payloads, rows) are mapped here and nowhere else.

Ids are opaque and stable (`Pseudonymizer.public_id`): `ctb_...` for a
contribution (one per session), `ans_...` for an answer, `evt_...` for an event
(the `webhook-id` of its deliveries).

An event this version cannot read (its payload is not JSON or not what its type
holds, or its type is one this version does not know: a row written by hand, by
a newer version) is given in its place as `event.unreadable`, with its id, time
and stored type and no data: the feed goes on past it, and the engine knows
that something is missing and which event, rather than a page that fails for
every reader or an event left out without a word. Likewise a consultation or
a contribution whose flow version this server cannot read (its definition
edited by hand) is given with what needs no flow, and `unreadable` saying why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, cast

from bot.api.vocabulary import (
    ANSWER_APPROVED,
    ANSWER_REJECTED,
    CONSULTATION_DEPLOYED,
    CONTRIBUTION_COMPLETED,
    CONTRIBUTION_PARTIAL,
    EVENT_UNREADABLE,
    PARTICIPANT_ERASED,
)
from bot.contributions import Contribution
from bot.flow_catalog import DeployedFlow
from bot.pseudonyms import Pseudonymizer
from flows.translated import Translated
from storage.columns import JsonValue
from storage.consultations import FlowVersion
from storage.contributions import StoredContribution
from storage.outbox import FeedEvent

Json = dict[str, Any]
_PAST_IDS = 2**63  # row ids are 64-bit in the database


class PublicIds:
    def __init__(self, pseudonyms: Pseudonymizer) -> None:
        self._pseudonyms = pseudonyms

    def contribution(self, session_id: int) -> str:
        return self._pseudonyms.public_id("ctb", session_id)

    def answer(self, answer_id: int) -> str:
        return self._pseudonyms.public_id("ans", answer_id)

    def event(self, event_id: int) -> str:
        return self._pseudonyms.public_id("evt", event_id)

    def contributions(self, session_ids: Sequence[int]) -> list[str]:
        """`contribution` of each, made at once (exports make thousands a page)."""
        return self._pseudonyms.public_ids("ctb", session_ids)

    def answers(self, answer_ids: Sequence[int]) -> list[str]:
        return self._pseudonyms.public_ids("ans", answer_ids)


def time_text(moment: dt.datetime) -> str:
    """A moment as the API writes it: UTC, ISO 8601, "Z"."""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _texts(text: Translated) -> dict[str, str]:
    return dict(text.texts)


def consultation_json(deployed: DeployedFlow, deployed_at: dt.datetime) -> Json:
    flow = deployed.flow
    return {
        "id": deployed.consultation_id,
        "title": _texts(flow.title),
        "languages": list(flow.languages),
        "version": deployed.version,
        "deployed_at": time_text(deployed_at),
        "opens": flow.opens.isoformat() if flow.opens else None,
        "closes": flow.closes.isoformat() if flow.closes else None,
        "partial_contributions": flow.partial_contributions,
        "questions": [
            {
                "id": question.id,
                "type": question.type,
                "text": _texts(question.text),
                "choices": [
                    {"id": choice.id, "label": _texts(choice.label)} for choice in question.choices
                ],
            }
            for question in flow.questions
        ],
    }


def _unreadable_flow(version: int) -> Json:
    return {
        "reason": f"this server cannot read the consultation's flow version {version}; "
        "its operators have a log line naming it"
    }


def unreadable_consultation_json(version: FlowVersion) -> Json:
    """A live consultation whose flow cannot be read: what needs no flow."""
    return {
        "id": version.consultation_id,
        "version": version.version,
        "deployed_at": time_text(version.deployed_at),
        "unreadable": _unreadable_flow(version.version),
    }


def unreadable_contribution_json(stored: StoredContribution, version: int, ids: PublicIds) -> Json:
    """A contribution given on a flow version that cannot be read (`version`):
    its fields, and no answers, which need the flow's questions."""
    contribution = Contribution(
        stored.session_id,
        stored.consultation_id,
        version,
        stored.channel,
        stored.language,
        stored.partial,
        stored.pseudonym,
        stored.completed_at,
        answers=(),
    )
    return {**contribution_fields(contribution, ids), "unreadable": _unreadable_flow(version)}


def contribution_fields(contribution: Contribution, ids: PublicIds) -> Json:
    """A contribution's fields besides its answers."""
    return {
        "id": ids.contribution(contribution.session_id),
        "consultation": contribution.consultation_id,
        "flow_version": contribution.flow_version,
        "status": "partial" if contribution.partial else "completed",
        "channel": contribution.channel,
        "language": contribution.language,
        "completed_at": time_text(contribution.completed_at),
        "participant": contribution.participant,
    }


def contribution_json(contribution: Contribution, ids: PublicIds) -> Json:
    return {
        **contribution_fields(contribution, ids),
        "answers": [
            {
                "id": ids.answer(answer.answer_id),
                "question": answer.question_id,
                "type": answer.type,
                "value": answer.value,
                "labels": list(answer.labels),
                "wording": answer.wording,
                "language": answer.language,
            }
            for answer in contribution.answers
        ],
    }


def answer_ids(events: Sequence[FeedEvent]) -> list[int]:
    """The answers the events name, whose sessions `event_json` needs."""
    found = []
    for event in events:
        if event.type in (ANSWER_APPROVED, ANSWER_REJECTED) and isinstance(event.payload, dict):
            answer_id = event.payload.get("answer_id")
            if isinstance(answer_id, int) and 0 < answer_id < _PAST_IDS:  # what a query takes
                found.append(answer_id)
    return found


class UnreadableEvent(Exception):
    """An event this version cannot give in its public shape; str() says why."""


def event_json(event: FeedEvent, ids: PublicIds, sessions_of: Mapping[int, int]) -> Json:
    """The event as the API and webhooks give it (Standard Webhooks' shape);
    `sessions_of` maps answer ids to their sessions. Raises UnreadableEvent."""
    if event.unreadable is not None:
        raise UnreadableEvent(f"its payload is {event.unreadable}")
    try:
        data = _data(event, ids, sessions_of)
    except (KeyError, TypeError, ValueError) as error:
        raise UnreadableEvent(
            f"its payload is not a {event.type} event's ({type(error).__name__}: {error})"
        ) from error
    return {
        "id": ids.event(event.id),
        "type": event.type,
        "timestamp": time_text(event.created_at),
        "data": data,
    }


def unreadable_json(event: FeedEvent, ids: PublicIds) -> Json:
    """What the feeds give in the place of an event `event_json` cannot read."""
    return {
        "id": ids.event(event.id),
        "type": EVENT_UNREADABLE,
        "timestamp": time_text(event.created_at),
        "data": {
            "type": event.type,
            "reason": "this server cannot read this event; its operators have a log line "
            "naming its id",
        },
    }


def public_event(
    event: FeedEvent, ids: PublicIds, sessions_of: Mapping[int, int]
) -> tuple[Json, str | None]:
    """`event_json`, or `unreadable_json` and why (for the log) if it cannot be read."""
    try:
        return event_json(event, ids, sessions_of), None
    except UnreadableEvent as error:
        return unreadable_json(event, ids), str(error)


def _data(event: FeedEvent, ids: PublicIds, sessions_of: Mapping[int, int]) -> Json:
    payload = cast(dict[str, JsonValue], event.payload if isinstance(event.payload, dict) else {})
    if event.type in (CONTRIBUTION_COMPLETED, CONTRIBUTION_PARTIAL):
        if payload.get("erased"):
            return {"contribution": ids.contribution(_int(payload, "session")), "erased": True}
        return contribution_json(Contribution.from_json(payload), ids)
    if event.type in (ANSWER_APPROVED, ANSWER_REJECTED):
        answer_id = _int(payload, "answer_id")
        session_id = sessions_of.get(answer_id)
        data: Json = {
            "contribution": None if session_id is None else ids.contribution(session_id),
            "answer": ids.answer(answer_id),
            "consultation": payload.get("consultation_id"),
            "question": payload.get("question_id"),
        }
        if payload.get("erased"):
            return {**data, "erased": True}
        if event.type == ANSWER_APPROVED:
            text = payload.get("text")
            if not isinstance(text, str):
                raise ValueError("no approved text")
            return {**data, "text": text, "tags": payload.get("tags") or []}
        return {**data, "reason": payload.get("reason")}
    if event.type == PARTICIPANT_ERASED:
        sessions = cast(list[int], payload.get("sessions") or [])
        return {"contributions": [ids.contribution(session_id) for session_id in sessions]}
    if event.type == CONSULTATION_DEPLOYED:
        consultation, version = payload.get("consultation_id"), payload.get("version")
        if not isinstance(consultation, str) or not isinstance(version, int):
            raise ValueError("no consultation id and version")
        return {"consultation": consultation, "version": version, "title": payload.get("title")}
    raise UnreadableEvent(f"this version does not know its type {event.type!r}")


def _int(payload: Mapping[str, JsonValue], key: str) -> int:
    """The row id `payload` names under `key` (ValueError if none: not an id of 0)."""
    value = payload.get(key)
    # bool is an int to Python, not an id.
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < _PAST_IDS:
        raise ValueError(f"no {key}")
    return value
