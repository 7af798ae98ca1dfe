"""A consultation's results, counted in the database: progress, the drop-off
per question, the answers per question. Every figure is an aggregate (GROUP BY
in SQL); nothing returns a resident's row, except the approved free texts.

Whom it counts: consenting residents only (a session exists only after
consent), each once, by their latest conversation in the consultation; then
the filters (`ResultFilter`): when the conversation started, channel,
language, flow version, département (the résident's, kept with the session:
that of their first place answer, see bot.places), the source tag of the link
they came by. Hiding small figures is
the caller's policy (`bot.console.results`): these are the exact counts.

Storage does not know flows: the caller says which questions are of which
kind (`Questions`).

    chosen = ResultFilter("mobilite", channel="web")
    found = await results.figures(s, chosen, Questions(categorical=("mode",)))
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.departements import departement_of

MAX_TEXTS = 500  # approved free texts returned at most, newest first
NUMBER_BINS = 10
WORK_MEM = "64MB"  # PostgreSQL, while the figures are counted


@dataclass(frozen=True, slots=True)
class ResultFilter:
    consultation_id: str
    since: dt.datetime | None = None  # conversations started at or after
    until: dt.datetime | None = None  # ... and before
    channel: str | None = None
    language: str | None = None
    version: int | None = None
    departement: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Questions:
    """The consultation's question ids by kind (from its flow versions)."""

    categorical: tuple[str, ...] = ()  # yes_no, choice, scale: counted per value
    multi: tuple[str, ...] = ()  # multi_choice: counted per choice
    numbers: tuple[str, ...] = ()  # number: a histogram
    dates: tuple[str, ...] = ()  # date: counted per month
    places: tuple[str, ...] = ()  # postal_code, commune: per département and value
    free_text: tuple[str, ...] = ()  # counted per moderation status
    # The range (min, max) of the number questions that have one: their bars
    # are counted in the same pass as the other answers.
    ranges: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def all(self) -> tuple[str, ...]:
        return (
            *self.categorical,
            *self.multi,
            *self.numbers,
            *self.dates,
            *self.places,
            *self.free_text,
        )


@dataclass(frozen=True, slots=True)
class Progress:
    by_status: Mapping[str, int]  # session status -> residents
    median_seconds: float | None  # to complete; None when none completed

    @property
    def consented(self) -> int:
        return sum(self.by_status.values())


@dataclass(frozen=True, slots=True)
class Step:
    """One question of the drop-off funnel."""

    question_id: str
    answered: int
    skipped: int
    left: int  # the conversation stopped there (asked, never answered)

    @property
    def reached(self) -> int:
        return self.answered + self.skipped + self.left


@dataclass(frozen=True, slots=True)
class Bin:
    low: int
    high: int  # inclusive
    count: int


@dataclass(frozen=True, slots=True)
class Answers:
    """Counts per question: value -> residents."""

    values: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    answered: Mapping[str, int] = field(default_factory=dict)  # residents per question
    bins: Mapping[str, tuple[Bin, ...]] = field(default_factory=dict)
    places: Mapping[str, Mapping[tuple[str, str], int]] = field(default_factory=dict)
    moderation: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Choices:
    """What the filters can be set to for a consultation."""

    channels: tuple[str, ...]
    languages: tuple[str, ...]
    versions: tuple[int, ...]
    sources: tuple[str, ...]


# ---- SQL, per backend ----------------------------------------------------------


class _Dialect:
    def __init__(self, name: str) -> None:
        self.sqlite = name == "sqlite"

    def value(self, column: str) -> str:
        """An answer's JSON value as text (a string unquoted)."""
        return f"json_extract({column}, '$')" if self.sqlite else f"({column} #>> '{{}}')"

    def raw(self, column: str) -> str:
        """A JSON value as stored, as text ('"train"', '4', 'true')."""
        return column if self.sqlite else f"CAST({column} AS TEXT)"

    def number(self, column: str) -> str:
        return (
            f"CAST(json_extract({column}, '$') AS INTEGER)"
            if self.sqlite
            else f"CAST({column} #>> '{{}}' AS NUMERIC)"
        )

    def bucket(self, number: str) -> str:
        """Which bar of width :width from :low a whole number falls in."""
        if self.sqlite:
            return f"(({number} - :low) / :width)"
        return f"CAST(FLOOR(({number} - :low) / :width) AS INTEGER)"

    def seconds(self, later: str, earlier: str) -> str:
        if self.sqlite:
            return f"((julianday({later}) - julianday({earlier})) * 86400.0)"
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"


def _dialect(session: AsyncSession) -> _Dialect:
    return _Dialect(session.get_bind().dialect.name)


def _chosen(d: _Dialect, f: ResultFilter) -> tuple[str, dict[str, Any]]:
    """The CTE `chosen` (id, status, question_id, skipped, created_at) of the
    residents counted."""
    where = ["v.consultation_id = :c"]
    values: dict[str, Any] = {"c": f.consultation_id}
    if f.version is not None:
        where.append("v.version = :version")
        values["version"] = f.version
    if f.since is not None:
        where.append("s.created_at >= :since")
        values["since"] = _moment(d, f.since)
    if f.until is not None:
        where.append("s.created_at < :until")
        values["until"] = _moment(d, f.until)
    if f.channel is not None:
        where.append("p.channel = :channel")
        values["channel"] = f.channel
    if f.language is not None:
        where.append("s.language = :language")
        values["language"] = f.language
    if f.source is not None:
        where.append("s.source = :source")
        values["source"] = f.source
    if f.departement is not None:
        # A column of the session (index ix_sessions_departement), not a look
        # at every session's answers.
        where.append("s.departement = :departement")
        values["departement"] = f.departement
    # Each resident once: their latest conversation in this consultation.
    where.append("NOT s.replaced")
    cte = (
        "WITH chosen AS (SELECT s.id, s.status, s.question_id, s.skipped, s.created_at "
        "FROM sessions s "
        "JOIN flow_versions v ON v.id = s.flow_version_id "
        "LEFT JOIN participants p ON p.id = s.participant_id "
        f"WHERE {' AND '.join(where)}) "
    )
    return cte, values


def _moment(d: _Dialect, moment: dt.datetime) -> Any:
    utc = moment.astimezone(dt.UTC)
    # SQLite keeps naive UTC text (storage.columns.UtcDateTime).
    return utc.strftime("%Y-%m-%d %H:%M:%S.%f") if d.sqlite else utc


async def _rows(
    session: AsyncSession, sql: str, values: Mapping[str, Any], *expanding: str
) -> Sequence[Any]:
    statement = text(sql)
    if expanding:
        statement = statement.bindparams(*(bindparam(name, expanding=True) for name in expanding))
    return (await session.execute(statement, dict(values))).all()


# ---- the figures ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figures:
    progress: Progress
    funnel: tuple[Step, ...]
    answers: Answers


async def figures(session: AsyncSession, f: ResultFilter, questions: Questions) -> Figures:
    """Progress, the funnel and the answers: one pass over the residents
    counted, one over their answers (plus one per number question without a
    range), and one for the median."""
    d = _dialect(session)
    if not d.sqlite:
        # Enough memory to group in a hash table rather than sort on disk, and
        # no JIT compilation (about 100 ms per statement here, for queries that
        # run once); for this transaction only.
        await session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
        await session.execute(text("SET LOCAL jit = off"))
    cte, values = _chosen(d, f)
    where = await _rows(
        session,
        cte + f"SELECT s.status, s.question_id AS q, {d.raw('s.skipped')} AS k, COUNT(*) "
        "FROM chosen s GROUP BY s.status, q, k",
        values,
    )
    by_status: dict[str, int] = {}
    left: dict[str, int] = {}
    skipped: dict[str, int] = {}
    for status, q, k, n in where:
        by_status[str(status)] = by_status.get(str(status), 0) + int(n)
        if status != "completed" and q is not None:
            left[str(q)] = left.get(str(q), 0) + int(n)
        for skipped_id in _listed(k):
            skipped[skipped_id] = skipped.get(skipped_id, 0) + int(n)
    median = await _median(session, d, cte, values, by_status.get("completed", 0))
    counted, answered, moderation = await _grouped(session, d, cte, values, questions)
    places: dict[str, dict[tuple[str, str], int]] = {}
    for q in questions.places:
        for code, n in counted.pop(q, {}).items():
            places.setdefault(q, {})[(departement_of(code), code)] = n
    bins = {q: _binned(counted.pop(q, {}), questions.ranges[q]) for q in questions.ranges}
    bins.update(
        await _bins(
            session, d, cte, values, [q for q in questions.numbers if q not in questions.ranges]
        )
    )
    steps = tuple(
        Step(q, answered.get(q, 0), skipped.get(q, 0), left.get(q, 0)) for q in questions.all
    )
    return Figures(
        Progress(by_status, median),
        steps,
        Answers(counted, answered, bins, places, moderation),
    )


def _listed(stored: Any) -> list[str]:
    """The ids of a JSON list as stored (None or not a list: none)."""
    if stored is None:
        return []
    try:
        value = json.loads(stored) if isinstance(stored, str) else stored
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def _binned(counts: Mapping[str, int], bounds: tuple[int, int]) -> tuple[Bin, ...]:
    """Equal-width bars over a number question's range, from counts per value."""
    low, high = bounds
    width = max(1, -(-(high - low + 1) // NUMBER_BINS))
    bars = [0] * ((high - low) // width + 1)
    for value, n in counts.items():
        try:
            number = int(float(value))
        except ValueError:
            continue
        index = min(max((number - low) // width, 0), len(bars) - 1)
        bars[index] += n
    return tuple(
        Bin(low + i * width, min(high, low + (i + 1) * width - 1), n) for i, n in enumerate(bars)
    )


async def _median(
    session: AsyncSession, d: _Dialect, cte: str, values: Mapping[str, Any], completed: int
) -> float | None:
    """The median time from consent to completion (the lower middle one)."""
    if not completed:
        return None
    took = d.seconds("k.completed_at", "c.created_at")
    rows = await _rows(
        session,
        cte + f"SELECT {took} AS took FROM chosen c JOIN contributions k "
        "ON k.session_id = c.id AND NOT k.partial WHERE c.status = 'completed' "
        "ORDER BY took LIMIT 1 OFFSET :middle",
        {**values, "middle": (completed - 1) // 2},
    )
    return float(rows[0][0]) if rows else None


async def _grouped(
    session: AsyncSession,
    d: _Dialect,
    cte: str,
    values: Mapping[str, Any],
    questions: Questions,
) -> tuple[dict[str, dict[str, int]], dict[str, int], dict[str, dict[str, int]]]:
    """One pass over the current answers: residents per question and value
    (dates by month; free texts by moderation status; multiple choices per
    combination, then per choice; numbers without a range only counted).
    Values are grouped as stored (JSON text) and decoded afterwards."""
    raw = d.raw("a.value")
    bucket = (
        "CASE WHEN a.question_id IN :whole THEN '' "
        "WHEN a.moderation_status IS NOT NULL THEN a.moderation_status "
        f"WHEN a.question_id IN :dates THEN substr({raw}, 2, 7) ELSE {raw} END"
    )
    rows = await _rows(
        session,
        cte + f"SELECT a.question_id, {bucket} AS b, COUNT(*) FROM chosen c JOIN answers a "
        "ON a.session_id = c.id AND a.superseded_at IS NULL GROUP BY a.question_id, b",
        {
            **values,
            "whole": tuple(q for q in questions.numbers if q not in questions.ranges) or ("",),
            "dates": questions.dates or ("",),
        },
        "whole",
        "dates",
    )
    free, dates, multi = set(questions.free_text), set(questions.dates), set(questions.multi)
    counted: dict[str, dict[str, int]] = {}
    answered: dict[str, int] = {}
    moderation: dict[str, dict[str, int]] = {}
    for q, b, n in rows:
        q, n = str(q), int(n)
        answered[q] = answered.get(q, 0) + n
        if q in free:
            moderation.setdefault(q, {})[str(b)] = n
        elif b != "":
            per_value = counted.setdefault(q, {})
            # A multiple choice's choices picked together: counted per choice.
            keys = _listed(str(b)) if q in multi else [str(b) if q in dates else _decoded(str(b))]
            for key in keys:
                per_value[key] = per_value.get(key, 0) + n
    return counted, answered, moderation


def _decoded(stored: str) -> str:
    """A stored JSON value as the text the results use: "train" for a choice,
    "4" for a number, "true" for a yes."""
    try:
        value = json.loads(stored)
    except ValueError:
        return stored
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


async def _bins(
    session: AsyncSession,
    d: _Dialect,
    cte: str,
    values: Mapping[str, Any],
    numbers: Sequence[str],
) -> dict[str, tuple[Bin, ...]]:
    """Equal-width histograms of whole numbers (at most NUMBER_BINS bars)."""
    if not numbers:
        return {}
    current = "FROM chosen c JOIN answers a ON a.session_id = c.id AND a.superseded_at IS NULL "
    number = d.number("a.value")
    found: dict[str, tuple[Bin, ...]] = {}
    for q in numbers:
        ranges = await _rows(
            session,
            cte + f"SELECT MIN({number}), MAX({number}) {current}WHERE a.question_id = :q",
            {**values, "q": q},
        )
        low, high = ranges[0] if ranges else (None, None)
        if low is None or high is None:
            continue
        low, high = int(low), int(high)
        width = max(1, -(-(high - low + 1) // NUMBER_BINS))
        rows = await _rows(
            session,
            cte + f"SELECT {d.bucket(number)} AS b, COUNT(*) "
            f"{current}WHERE a.question_id = :q GROUP BY b",
            {**values, "q": q, "low": low, "width": width},
        )
        counts = {int(b): int(n) for b, n in rows}
        found[q] = tuple(
            Bin(low + i * width, min(high, low + (i + 1) * width - 1), counts.get(i, 0))
            for i in range((high - low) // width + 1)
        )
    return found


async def approved_texts(session: AsyncSession, f: ResultFilter, question_id: str) -> list[str]:
    """The approved free texts of a question (as published: redacted if they
    were), newest first, at most MAX_TEXTS."""
    d = _dialect(session)
    cte, values = _chosen(d, f)
    rows = await _rows(
        session,
        cte + f"SELECT COALESCE(a.redacted_text, {d.value('a.value')}) FROM chosen c "
        "JOIN answers a ON a.session_id = c.id AND a.superseded_at IS NULL "
        "WHERE a.question_id = :q AND a.moderation_status = 'approved' "
        "ORDER BY a.id DESC LIMIT :limit",
        {**values, "q": question_id, "limit": MAX_TEXTS},
    )
    return [_text(value) for (value,) in rows]


async def choices(session: AsyncSession, consultation_id: str) -> Choices:
    """The channels, languages, versions and source tags the filters offer (one
    pass over the consultation's sessions: their few combinations)."""
    rows = await _rows(
        session,
        "SELECT DISTINCT p.channel, s.language, s.source FROM sessions s "
        "JOIN flow_versions v ON v.id = s.flow_version_id "
        "LEFT JOIN participants p ON p.id = s.participant_id WHERE v.consultation_id = :c",
        {"c": consultation_id},
    )
    versions = await _rows(
        session,
        "SELECT version FROM flow_versions WHERE consultation_id = :c ORDER BY version",
        {"c": consultation_id},
    )

    def found(column: int) -> tuple[str, ...]:
        return tuple(sorted({str(row[column]) for row in rows if row[column] is not None}))

    return Choices(found(0), found(1), tuple(int(v) for (v,) in versions), found(2))


def _text(value: Any) -> str:
    return "" if value is None else str(value)
