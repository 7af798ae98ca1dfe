"""Contributions as a table: one row per contribution, metadata columns, then
one column per question (two for choice questions: the choice ids and their
labels in the flow's main language; a ranking's ids and labels read in rank
order, "canteen > boarding", "Cantine > Internat"; a question with an "other" choice has a
third, `<question>.other`, for the detail the resident wrote, once approved;
yes/no, choice and scale questions one more, `<question>.comment`, for the
words a resident wrote after the answer, once approved).
Every cell is text (`bot.exports.cells`).

The metadata and the answers are those of the API's contribution object
(`bot.api.serializer.contribution_fields`, and its answers' values), so that
a file and the API agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.api.serializer import PublicIds, contribution_fields
from bot.exports.cells import cell
from bot.exports.source import Exported, ExportedConsultation
from bot.flow_catalog import DeployedFlow
from flows.effects import comment_id, detail_id
from flows.model import COMMENTED_TYPES
from flows.prompts import RANK_SEPARATOR

METADATA = (
    "contribution",
    "consultation",
    "flow_version",
    "status",
    "channel",
    "language",
    "completed_at",
    "participant",
)
_FIELDS = {"contribution": "id"}  # column -> the API object's field, where they differ
LIST_SEPARATOR = ", "  # between the ids (or labels) of a multi_choice answer
LABEL_SUFFIX = " (label)"


@dataclass(frozen=True, slots=True)
class _Column:
    question: str
    labelled: bool  # a choice question: its ids, then their labels
    ranked: bool = False  # a ranking: its ids and labels in rank order


class Table:
    def __init__(self, consultation: ExportedConsultation, ids: PublicIds) -> None:
        self._ids = ids
        self._language = consultation.main_language
        self._columns = []
        self._labels: dict[int, dict[str, dict[str, str]]] = {}  # by flow version id
        for question in consultation.questions():
            ranked = question.type == "ranking"
            self._columns.append(_Column(question.id, bool(question.choices), ranked))
            if question.other_choice() is not None:  # its detail, as the resident wrote it
                self._columns.append(_Column(detail_id(question.id), False))
            if question.type in COMMENTED_TYPES:  # "oui, surtout ...": the comment
                self._columns.append(_Column(comment_id(question.id), False))

    def header(self) -> list[str]:
        names = list(METADATA)
        for column in self._columns:
            names.append(column.question)
            if column.labelled:
                names.append(column.question + LABEL_SUFFIX)
        return [cell(name) for name in names]

    def row(self, exported: Exported) -> list[str]:
        contribution, deployed = exported
        data = contribution_fields(contribution, self._ids)
        cells = [text(data[_FIELDS.get(key, key)]) for key in METADATA]
        by_question = {answer.question_id: answer.value for answer in contribution.answers}
        labels = self._labels_of(deployed)
        for column in self._columns:
            value = by_question.get(column.question)
            if column.ranked and isinstance(value, list):
                cells.append(RANK_SEPARATOR.join(text(item) for item in value))
            else:
                cells.append(text(value))
            if column.labelled:
                cells.append(_labels(labels.get(column.question), value, column.ranked))
        return [cell(c) for c in cells]

    def _labels_of(self, deployed: DeployedFlow) -> dict[str, dict[str, str]]:
        """The version's choice labels in the main language, by question and choice."""
        found = self._labels.get(deployed.version_id)
        if found is None:
            found = {
                q.id: {c.id: c.label.get(self._language) for c in q.choices}
                for q in deployed.flow.questions
                if q.choices
            }
            self._labels[deployed.version_id] = found
        return found


def _labels(choices: dict[str, str] | None, value: Any, ranked: bool) -> str:
    if not choices:
        return ""
    if isinstance(value, list) and ranked:  # in rank order
        return RANK_SEPARATOR.join(choices.get(str(v), str(v)) for v in value)
    if isinstance(value, list):  # in the flow's order of choices
        return LIST_SEPARATOR.join(label for id_, label in choices.items() if id_ in value)
    return choices.get(value, "") if isinstance(value, str) else ""


def text(value: Any) -> str:
    """An answer's value (or a metadata field) as the text of a cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(text(item) for item in value)
    return str(value)
