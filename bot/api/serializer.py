"""The public shape of what leaves for the consultation engine: consultations,
contributions and events, as the API pages, the webhooks and the exports show
them. Internal records (outbox payloads, rows) are mapped here and nowhere else.

Ids are opaque and stable (`Pseudonymizer.public_id`): `ctb_...` for a
contribution (one per session), `ans_...` for an answer, `evt_...` for an event
(the `webhook-id` of its deliveries).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, cast

from bot.api.vocabulary import (
    ANSWER_APPROVED,
    ANSWER_REJECTED,
    CONTRIBUTION_COMPLETED,
    CONTRIBUTION_PARTIAL,
    PARTICIPANT_ERASED,
)
from bot.contributions import Contribution
from bot.flow_catalog import DeployedFlow
from bot.pseudonyms import Pseudonymizer
from flows.translated import Translated
from storage.columns import JsonValue
from storage.outbox import FeedEvent

Json = dict[str, Any]


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
            if isinstance(answer_id, int):
                found.append(answer_id)
    return found


def event_json(event: FeedEvent, ids: PublicIds, sessions_of: Mapping[int, int]) -> Json:
    """The event as the API and webhooks give it (Standard Webhooks' shape);
    `sessions_of` maps answer ids to their sessions."""
    return {
        "id": ids.event(event.id),
        "type": event.type,
        "timestamp": time_text(event.created_at),
        "data": _data(event, ids, sessions_of),
    }


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
            return {**data, "text": payload.get("text"), "tags": payload.get("tags") or []}
        return {**data, "reason": payload.get("reason")}
    if event.type == PARTICIPANT_ERASED:
        sessions = cast(list[int], payload.get("sessions") or [])
        return {"contributions": [ids.contribution(session_id) for session_id in sessions]}
    return {
        "consultation": payload.get("consultation_id"),
        "version": payload.get("version"),
        "title": payload.get("title"),
    }


def _int(payload: Mapping[str, JsonValue], key: str) -> int:
    value = payload.get(key)
    return value if isinstance(value, int) else 0
