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

from dataclasses import dataclass, field
from typing import Any

from bot.api.serializer import PublicIds, time_text
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
LIST_SEPARATOR = ", "  # between the ids (or labels) of a multi_choice answer
LABEL_SUFFIX = " (label)"
_KEPT = 4096  # cells kept per column for values seen again (choice ids, postal codes...)
_SHORT = 64  # ...and no longer than this: residents' texts, seldom seen twice, are not kept


@dataclass(frozen=True, slots=True)
class _Column:
    question: str
    labelled: bool  # a choice question: its ids, then their labels
    ranked: bool = False  # a ranking: its ids and labels in rank order


@dataclass(frozen=True, slots=True)
class _Spot:
    """Where a flow version's answers to one question go in a row, and how
    they are written: built once per version, used for every row."""

    at: int  # the value's cell; its labels' next to it
    labelled: bool
    ranked: bool
    labels: dict[str, str] | None  # the version's choice labels, main language
    seen: dict[Any, tuple[str, str]] = field(default_factory=dict)  # value -> its cells

    def cells(self, value: Any) -> tuple[str, str]:
        """The value's cell and its labels' cell ("" if not labelled)."""
        key = _key(value)
        if key is not None:
            found = self.seen.get(key)
            if found is not None:
                return found
        if self.ranked and isinstance(value, list):
            shown = RANK_SEPARATOR.join(text(item) for item in value)
        else:
            shown = text(value)
        made = (
            cell(shown),
            cell(_labels(self.labels, value, self.ranked)) if self.labelled else "",
        )
        if key is not None and len(self.seen) < _KEPT:
            self.seen[key] = made
        return made


def _key(value: Any) -> str | tuple[str, ...] | None:
    """A value's key among those seen, if kept: texts and lists of texts only
    (as keys, 1 and True, or [1] and [True], would be taken for one another)."""
    if type(value) is str:
        return value if len(value) <= _SHORT else None
    if type(value) is list and all(type(item) is str for item in value):
        return tuple(value)
    return None


class Table:
    def __init__(self, consultation: ExportedConsultation, ids: PublicIds) -> None:
        self._ids = ids
        self._language = consultation.main_language
        self._columns = []
        for question in consultation.questions():
            ranked = question.type == "ranking"
            self._columns.append(_Column(question.id, bool(question.choices), ranked))
            if question.other_choice() is not None:  # its detail, as the resident wrote it
                self._columns.append(_Column(detail_id(question.id), False))
            if question.type in COMMENTED_TYPES:  # "oui, surtout ...": the comment
                self._columns.append(_Column(comment_id(question.id), False))
        self._width = len(self.header())
        self._plans: dict[int, dict[str, _Spot]] = {}  # by flow version id
        self._short: dict[str, str] = {}  # cells of the few values metadata take

    def header(self) -> list[str]:
        names = list(METADATA)
        for column in self._columns:
            names.append(column.question)
            if column.labelled:
                names.append(column.question + LABEL_SUFFIX)
        return [cell(name) for name in names]

    def rows(self, page: list[Exported]) -> list[list[str]]:
        ids = self._ids.contributions([stored[1] for stored, _, _ in page])
        return [self.row(exported, id_) for exported, id_ in zip(page, ids, strict=True)]

    def row(self, exported: Exported, public_id: str) -> list[str]:
        """The contribution's cells: the metadata of the API's contribution
        object (`bot.api.serializer.contribution_fields`), then its answers."""
        stored, kept, deployed = exported
        plan = self._plans.get(deployed.version_id) or self._plan(deployed)
        short = self._short
        cells = [""] * self._width
        cells[0] = public_id  # ctb_ and letters: nothing to defuse
        cells[1] = short.get(stored[2]) or self._kept(stored[2])
        cells[2] = str(deployed.version)
        cells[3] = "partial" if stored[7] else "completed"
        cells[4] = short.get(stored[5]) or self._kept(stored[5])
        cells[5] = short.get(stored[6]) or self._kept(stored[6])
        cells[6] = time_text(stored[9])
        cells[7] = cell(stored[8])
        for _, _, _, question_id, value, _, _ in kept:
            spot = plan.get(question_id)
            if spot is None:
                continue
            made = spot.seen.get(value) if type(value) is str else None
            if made is None:
                made = spot.cells(value)
            cells[spot.at] = made[0]
            if spot.labelled:
                cells[spot.at + 1] = made[1]
        return cells

    def _kept(self, value: str) -> str:
        made = cell(value)
        if len(self._short) < _KEPT and len(value) <= _SHORT:
            self._short[value] = made
        return made

    def _plan(self, deployed: DeployedFlow) -> dict[str, _Spot]:
        """Where each of the version's questions goes, with its choice labels
        in the main language."""
        labels = {
            q.id: {c.id: c.label.get(self._language) for c in q.choices}
            for q in deployed.flow.questions
            if q.choices
        }
        plan = {}
        at = len(METADATA)
        for column in self._columns:
            plan[column.question] = _Spot(
                at, column.labelled, column.ranked, labels.get(column.question)
            )
            at += 2 if column.labelled else 1
        self._plans[deployed.version_id] = plan
        return plan


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
