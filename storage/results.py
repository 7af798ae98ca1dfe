"""A consultation's results, counted in the database: progress, the drop-off
per question, the answers per question. Every figure is an aggregate (GROUP BY
in SQL); nothing returns a resident's row, except the approved free texts.

Whom it counts: consenting residents only (a session exists only after
consent), each once, by their latest conversation in the consultation; then
the filters (`ResultFilter`): when the conversation started, channel,
language, flow version, département (of an answer to a postal code or commune
question), the source tag of the link they came by. Hiding small figures is
the caller's policy (`bot.console.results`): these are the exact counts.

Storage does not know flows: the caller says which questions are of which
kind (`Questions`).

    chosen = ResultFilter("mobilite", channel="web")
    figures = await results.progress(s, chosen, places=("commune",))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

MAX_TEXTS = 500  # approved free texts returned at most, newest first
NUMBER_BINS = 10


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

    def number(self, column: str) -> str:
        return (
            f"CAST(json_extract({column}, '$') AS INTEGER)"
            if self.sqlite
            else f"CAST({column} #>> '{{}}' AS NUMERIC)"
        )

    def state(self, key: str) -> str:
        return f"json_extract(s.state, '$.{key}')" if self.sqlite else f"(s.state ->> '{key}')"

    def state_array(self, key: str) -> str:
        return f"json_extract(s.state, '$.{key}')" if self.sqlite else f"(s.state -> '{key}')"

    def bucket(self, number: str) -> str:
        """Which bar of width :width from :low a whole number falls in."""
        if self.sqlite:
            return f"(({number} - :low) / :width)"
        return f"CAST(FLOOR(({number} - :low) / :width) AS INTEGER)"

    def elements(self, column: str, alias: str) -> str:
        """Join each element of a JSON array as `alias.value` (text)."""
        if self.sqlite:
            return f"JOIN json_each({column}) AS {alias}"
        return f"CROSS JOIN LATERAL jsonb_array_elements_text({column}) AS {alias}(value)"

    def seconds(self, later: str, earlier: str) -> str:
        if self.sqlite:
            return f"((julianday({later}) - julianday({earlier})) * 86400.0)"
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"

    def departement(self, value: str) -> str:
        """The département of a postal code or INSEE code (97x and 98x: three
        characters; 2A/2B: Corsica's INSEE codes)."""
        return (
            f"CASE WHEN substr({value}, 1, 2) IN ('97', '98') "
            f"THEN substr({value}, 1, 3) ELSE substr({value}, 1, 2) END"
        )


def _dialect(session: AsyncSession) -> _Dialect:
    return _Dialect(session.get_bind().dialect.name)


def _chosen(d: _Dialect, f: ResultFilter, places: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """The CTE `chosen` (id, status, state, created_at) of the residents counted."""
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
        where.append(f"{d.state('language')} = :language")
        values["language"] = f.language
    if f.source is not None:
        where.append("s.source = :source")
        values["source"] = f.source
    if f.departement is not None:
        names = ", ".join(f":place{i}" for i in range(len(places))) or "NULL"
        values.update({f"place{i}": q for i, q in enumerate(places)})
        where.append(
            "EXISTS (SELECT 1 FROM answers pa WHERE pa.session_id = s.id "
            f"AND pa.superseded_at IS NULL AND pa.question_id IN ({names}) "
            f"AND {d.departement(d.value('pa.value'))} = :departement)"
        )
        values["departement"] = f.departement
    # Each resident once: their latest conversation in this consultation.
    where.append(
        "NOT EXISTS (SELECT 1 FROM sessions s2 JOIN flow_versions v2 "
        "ON v2.id = s2.flow_version_id WHERE s2.participant_id = s.participant_id "
        "AND v2.consultation_id = :c AND s2.id > s.id)"
    )
    cte = (
        "WITH chosen AS (SELECT s.id, s.status, s.state, s.created_at FROM sessions s "
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


async def progress(session: AsyncSession, f: ResultFilter, questions: Questions) -> Progress:
    d = _dialect(session)
    cte, values = _chosen(d, f, questions.places)
    rows = await _rows(session, cte + "SELECT status, COUNT(*) FROM chosen GROUP BY status", values)
    by_status = {str(status): int(count) for status, count in rows}
    completed = by_status.get("completed", 0)
    median = None
    if completed:
        took = d.seconds("k.completed_at", "c.created_at")
        median_rows = await _rows(
            session,
            cte + f"SELECT {took} AS took FROM chosen c JOIN contributions k "
            "ON k.session_id = c.id AND NOT k.partial WHERE c.status = 'completed' "
            "ORDER BY took LIMIT 1 OFFSET :middle",
            {**values, "middle": (completed - 1) // 2},
        )
        if median_rows:
            median = float(median_rows[0][0])
    return Progress(by_status, median)


async def funnel(session: AsyncSession, f: ResultFilter, questions: Questions) -> list[Step]:
    """Per question: answered (a current answer), skipped, left there."""
    d = _dialect(session)
    cte, values = _chosen(d, f, questions.places)
    answered = await _rows(
        session,
        cte + "SELECT a.question_id, COUNT(*) FROM chosen c JOIN answers a "
        "ON a.session_id = c.id AND a.superseded_at IS NULL GROUP BY a.question_id",
        values,
    )
    skipped = await _rows(
        session,
        cte + "SELECT k.value, COUNT(*) FROM chosen s "
        f"{d.elements(d.state_array('skipped'), 'k')} "
        "GROUP BY k.value",
        values,
    )
    left = await _rows(
        session,
        cte + f"SELECT {d.state('question_id')} AS q, COUNT(*) FROM chosen s "
        "WHERE s.status <> 'completed' GROUP BY q",
        values,
    )
    tables = [
        {str(q): int(n) for q, n in rows if q is not None} for rows in (answered, skipped, left)
    ]
    return [
        Step(q, tables[0].get(q, 0), tables[1].get(q, 0), tables[2].get(q, 0))
        for q in questions.all
    ]


async def answers(session: AsyncSession, f: ResultFilter, questions: Questions) -> Answers:
    d = _dialect(session)
    cte, values = _chosen(d, f, questions.places)
    current = "FROM chosen c JOIN answers a ON a.session_id = c.id AND a.superseded_at IS NULL "
    value = d.value("a.value")
    counted: dict[str, dict[str, int]] = {}
    answered: dict[str, int] = {}
    listed = (*questions.categorical, *questions.dates)
    if listed:
        bucket = f"CASE WHEN a.question_id IN :dates THEN substr({value}, 1, 7) ELSE {value} END"
        rows = await _rows(
            session,
            cte + f"SELECT a.question_id, {bucket} AS b, COUNT(*) {current}"
            "WHERE a.question_id IN :listed GROUP BY a.question_id, b",
            {**values, "listed": listed, "dates": questions.dates or ("",)},
            "listed",
            "dates",
        )
        for q, b, n in rows:
            counted.setdefault(str(q), {})[_text(b)] = int(n)
    if questions.multi:
        rows = await _rows(
            session,
            cte + f"SELECT a.question_id, e.value, COUNT(*) {current}"
            f"{d.elements('a.value', 'e')} WHERE a.question_id IN :multi "
            "GROUP BY a.question_id, e.value",
            {**values, "multi": questions.multi},
            "multi",
        )
        for q, choice, n in rows:
            counted.setdefault(str(q), {})[_text(choice)] = int(n)
    with_answers = (*questions.multi, *questions.numbers, *questions.places)
    if with_answers:
        rows = await _rows(
            session,
            cte + f"SELECT a.question_id, COUNT(*) {current}"
            "WHERE a.question_id IN :qs GROUP BY a.question_id",
            {**values, "qs": with_answers},
            "qs",
        )
        answered.update((str(q), int(n)) for q, n in rows)
    for q, per_value in counted.items():
        answered.setdefault(q, sum(per_value.values()))
    bins = await _bins(session, d, cte, values, current, questions.numbers)
    places: dict[str, dict[tuple[str, str], int]] = {}
    if questions.places:
        rows = await _rows(
            session,
            cte + f"SELECT a.question_id, {value} AS b, COUNT(*) {current}"
            "WHERE a.question_id IN :places GROUP BY a.question_id, b",
            {**values, "places": questions.places},
            "places",
        )
        for q, code, n in rows:
            code = _text(code)
            places.setdefault(str(q), {})[(_departement(code), code)] = int(n)
    moderation: dict[str, dict[str, int]] = {}
    if questions.free_text:
        rows = await _rows(
            session,
            cte + f"SELECT a.question_id, a.moderation_status, COUNT(*) {current}"
            "WHERE a.question_id IN :free GROUP BY a.question_id, a.moderation_status",
            {**values, "free": questions.free_text},
            "free",
        )
        for q, status, n in rows:
            moderation.setdefault(str(q), {})[str(status)] = int(n)
    return Answers(counted, answered, bins, places, moderation)


async def _bins(
    session: AsyncSession,
    d: _Dialect,
    cte: str,
    values: Mapping[str, Any],
    current: str,
    numbers: Sequence[str],
) -> dict[str, tuple[Bin, ...]]:
    """Equal-width histograms of whole numbers (at most NUMBER_BINS bars)."""
    if not numbers:
        return {}
    number = d.number("a.value")
    ranges = await _rows(
        session,
        cte + f"SELECT a.question_id, MIN({number}), MAX({number}) {current}"
        "WHERE a.question_id IN :qs GROUP BY a.question_id",
        {**values, "qs": tuple(numbers)},
        "qs",
    )
    found: dict[str, tuple[Bin, ...]] = {}
    for q, low, high in ranges:
        low, high = int(low), int(high)
        width = max(1, -(-(high - low + 1) // NUMBER_BINS))
        rows = await _rows(
            session,
            cte + f"SELECT {d.bucket(number)} AS b, COUNT(*) "
            f"{current}WHERE a.question_id = :q GROUP BY b",
            {**values, "q": q, "low": low, "width": width},
        )
        counts = {int(b): int(n) for b, n in rows}
        found[str(q)] = tuple(
            Bin(low + i * width, min(high, low + (i + 1) * width - 1), counts.get(i, 0))
            for i in range((high - low) // width + 1)
        )
    return found


async def approved_texts(
    session: AsyncSession, f: ResultFilter, questions: Questions, question_id: str
) -> list[str]:
    """The approved free texts of a question (as published: redacted if they
    were), newest first, at most MAX_TEXTS."""
    d = _dialect(session)
    cte, values = _chosen(d, f, questions.places)
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
    """The channels, languages, versions and source tags the filters offer."""
    d = _dialect(session)
    base = (
        "FROM sessions s JOIN flow_versions v ON v.id = s.flow_version_id "
        "LEFT JOIN participants p ON p.id = s.participant_id WHERE v.consultation_id = :c "
    )
    values = {"c": consultation_id}

    async def distinct(expression: str) -> list[Any]:
        rows = await _rows(
            session,
            f"SELECT DISTINCT {expression} AS x {base}AND {expression} IS NOT NULL ORDER BY x",
            values,
        )
        return [x for (x,) in rows]

    versions = await _rows(
        session,
        "SELECT version FROM flow_versions WHERE consultation_id = :c ORDER BY version",
        values,
    )
    return Choices(
        tuple(map(str, await distinct("p.channel"))),
        tuple(map(str, await distinct(d.state("language")))),
        tuple(int(v) for (v,) in versions),
        tuple(map(str, await distinct("s.source"))),
    )


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _departement(code: str) -> str:
    return code[:3] if code[:2] in ("97", "98") else code[:2]
