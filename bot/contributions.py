"""Contributions: a session's answers as the consultation engine may see them.

Built from the stored answers and the flow version they were given on:
structured answers with their choice labels and the exact wording asked; free
text only once a moderator approved it, and then only its redacted form
(pending and rejected text never leave, not even as a count). The record is
kept as JSON in the outbox event that announces it (`to_json`/`from_json`); the
public shape is `bot.api.serializer`'s business.

`ContributionRecorder` writes one when a session completes, or when it
expires in a flow with `partial_contributions: true`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, cast

from sqlalchemy.ext.asyncio import AsyncSession

from bot.flow_catalog import DeployedFlow
from bot.pseudonyms import Pseudonymizer
from flows.effects import comment_id, detail_id
from flows.model import Flow, Question
from storage import contributions
from storage.columns import JsonValue
from storage.contributions import AnswerTuple, StoredContribution
from storage.models import ModerationStatus


class AnswerFields(Protocol):
    """What a stored answer gives a contribution (`storage.answers.StoredAnswer`,
    `storage.contributions.LeavingAnswer`)."""

    @property
    def id(self) -> int: ...
    @property
    def question_id(self) -> str: ...
    @property
    def value(self) -> JsonValue: ...
    @property
    def question_text(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def moderation_status(self) -> ModerationStatus | None: ...
    @property
    def redacted_text(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class ContributedAnswer:
    answer_id: int
    question_id: str
    type: str
    value: JsonValue  # a choice id, ids, a number, a date...; redacted text for free text
    labels: tuple[str, ...]  # the chosen choices' labels, in the answer's language
    wording: str  # the question exactly as the resident read it
    language: str


@dataclass(frozen=True, slots=True)
class Contribution:
    session_id: int
    consultation_id: str
    flow_version: int
    channel: str
    language: str
    partial: bool
    participant: str  # pseudonym scoped to the consultation
    completed_at: dt.datetime
    answers: tuple[ContributedAnswer, ...]

    def to_json(self) -> JsonValue:
        return {
            "session": self.session_id,
            "consultation": self.consultation_id,
            "flow_version": self.flow_version,
            "channel": self.channel,
            "language": self.language,
            "partial": self.partial,
            "participant": self.participant,
            "completed_at": self.completed_at.isoformat(),
            "answers": [
                {
                    "answer": a.answer_id,
                    "question": a.question_id,
                    "type": a.type,
                    "value": a.value,
                    "labels": list[JsonValue](a.labels),
                    "wording": a.wording,
                    "language": a.language,
                }
                for a in self.answers
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, JsonValue]) -> Contribution:
        items = cast(list[dict[str, JsonValue]], data["answers"])
        return cls(
            session_id=int(cast(int, data["session"])),
            consultation_id=str(data["consultation"]),
            flow_version=int(cast(int, data["flow_version"])),
            channel=str(data["channel"]),
            language=str(data["language"]),
            partial=bool(data["partial"]),
            participant=str(data["participant"]),
            completed_at=dt.datetime.fromisoformat(str(data["completed_at"])),
            answers=tuple(
                ContributedAnswer(
                    answer_id=int(cast(int, item["answer"])),
                    question_id=str(item["question"]),
                    type=str(item["type"]),
                    value=item["value"],
                    labels=tuple(str(label) for label in cast(list[str], item["labels"])),
                    wording=str(item["wording"]),
                    language=str(item["language"]),
                )
                for item in items
            ),
        )


def contributed_answers(
    flow: Flow, stored: Sequence[AnswerFields]
) -> tuple[ContributedAnswer, ...]:
    """What of a session's current answers may leave, in the order asked."""
    rows = [
        (
            answer.id,
            0,
            answer.question_id,
            answer.value,
            answer.question_text,
            answer.language,
            answer.moderation_status,
            answer.redacted_text,
        )
        for answer in stored
    ]
    return contributed_rows(flow, rows)


def contributed_rows(flow: Flow, rows: Iterable[AnswerTuple]) -> tuple[ContributedAnswer, ...]:
    """`contributed_answers` of the rows `storage.contributions.answer_rows` reads."""
    return tuple(
        ContributedAnswer(
            answer_id=answer_id,
            question_id=question_id,
            type=asked.type,
            value=value,
            labels=asked.labels(value, language),
            wording=wording,
            language=language,
        )
        for _, answer_id, asked, question_id, value, wording, language in leaving(flow, rows)
    )


# An answer that may leave: the rank of its question in the flow, its id, its
# question, question id, value (the redacted text of free text), wording and
# language. A tuple (exports make millions), in the order asked when sorted.
Leaving = tuple[int, int, "Asked", str, JsonValue, str, str]


def leaving(flow: Flow, rows: Iterable[AnswerTuple]) -> list[Leaving]:
    """What of a session's current answers (as `storage.contributions.answer_rows`
    gives them) may leave, in the order asked: structured answers as they are,
    free text (and the details and comments beside an answer) only once
    approved, as its redacted text if the moderator redacted it, else as
    written; answers to questions the flow does not ask, never."""
    index = _index(flow)
    kept: list[Leaving] = []
    for answer_id, _, question_id, value, wording, language, status, redacted in rows:
        asked = index.get(question_id)
        if asked is None:
            continue
        if asked.moderated or status is not None:
            if status != ModerationStatus.APPROVED:
                continue
            if redacted is not None:
                value = redacted
        kept.append((asked.rank, answer_id, asked, question_id, value, wording, language))
    kept.sort()  # by rank, then id: ids are unique, so nothing further is compared
    return kept


@dataclass(frozen=True, slots=True)
class Asked:
    """The question an answer row belongs to: an "other" choice's detail is
    kept as `<question>.other` (flows.effects.detail_id), a closed answer's
    comment as `<question>.comment` (flows.effects.comment_id), beside it."""

    rank: int
    question: Question
    detail: bool  # the free text beside an answer: an "other" detail or a comment
    by_language: Mapping[str, Mapping[str, str]]  # the flow's languages: choice id -> label
    type: str  # the answer's: a detail is free text
    moderated: bool  # words a resident wrote: they leave only once approved, redacted

    def labels(self, value: JsonValue, language: str) -> tuple[str, ...]:
        """The chosen choices' labels in `language`, in the flow's order (a
        ranking's in rank order); none for a detail."""
        if self.detail or not self.question.choices:
            return ()
        labels = self.by_language.get(language)
        if labels is None:  # a language the flow does not declare
            labels = {c.id: c.label.get(language) for c in self.question.choices}
        if isinstance(value, str):
            label = labels.get(value)
            return () if label is None else (label,)
        if isinstance(value, list) and self.question.type == "ranking":  # in rank order
            return tuple(labels[v] for v in value if isinstance(v, str) and v in labels)
        if isinstance(value, list):
            return tuple(label for id_, label in labels.items() if id_ in value)
        return ()


# Each flow's questions by the ids of the answers they hold ("<id>", its
# "<id>.other" and "<id>.comment"), with their rank: built once per parsed flow (a feed page maps
# thousands of answers on a handful of flows).
_INDEXES: dict[int, tuple[Flow, dict[str, Asked]]] = {}


def _index(flow: Flow) -> dict[str, Asked]:
    cached = _INDEXES.get(id(flow))
    if cached is None or cached[0] is not flow:
        if len(_INDEXES) >= 256:
            _INDEXES.clear()
        index: dict[str, Asked] = {}
        for rank, question in enumerate(flow.questions):
            labels = {
                language: {c.id: c.label.get(language) for c in question.choices}
                for language in flow.languages
            }
            own = question.type == "free_text"
            index[question.id] = Asked(rank, question, False, labels, question.type, own)
            beside = Asked(rank, question, True, {}, "free_text", True)
            index[detail_id(question.id)] = beside
            index[comment_id(question.id)] = beside
        cached = (flow, index)
        _INDEXES[id(flow)] = cached
    return cached[1]


class ContributionRecorder:
    """Writes a session's contribution and its event, in the caller's transaction."""

    def __init__(self, pseudonyms: Pseudonymizer) -> None:
        self._pseudonyms = pseudonyms

    async def record(
        self,
        session: AsyncSession,
        deployed: DeployedFlow,
        *,
        session_id: int,
        participant_id: int | None,
        user_hash: str,
        channel: str,
        language: str,
        partial: bool,
        now: dt.datetime,
    ) -> Contribution | None:
        """The contribution recorded; None for a partial one with no answer."""
        # Only the columns that may leave, as the feeds read them: the whole
        # stored answers (times, raw text, tags) cost more than the rest here.
        current = (await contributions.answer_rows(session, [session_id]))[session_id]
        if partial and not current:
            return None
        contribution = Contribution(
            session_id=session_id,
            consultation_id=deployed.consultation_id,
            flow_version=deployed.version,
            channel=channel,
            language=language,
            partial=partial,
            participant=self._pseudonyms.in_consultation(deployed.consultation_id, user_hash),
            completed_at=now,
            answers=contributed_rows(deployed.flow, current),
        )
        await contributions.record(
            session,
            session_id=session_id,
            consultation_id=deployed.consultation_id,
            flow_version_id=deployed.version_id,
            participant_id=participant_id,
            channel=channel,
            language=language,
            partial=partial,
            pseudonym=contribution.participant,
            now=now,
            payload=contribution.to_json(),
        )
        return contribution


def from_stored(
    stored: StoredContribution, deployed: DeployedFlow, current: Sequence[AnswerFields]
) -> Contribution:
    """A stored contribution with its session's answers as they are now (a
    text approved since completion is in it)."""
    return Contribution(
        session_id=stored.session_id,
        consultation_id=stored.consultation_id,
        flow_version=deployed.version,
        channel=stored.channel,
        language=stored.language,
        partial=stored.partial,
        participant=stored.pseudonym,
        completed_at=stored.completed_at,
        answers=contributed_answers(deployed.flow, current),
    )
