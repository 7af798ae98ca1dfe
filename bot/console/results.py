"""A consultation's results as the console shows them: tables (each also a
chart and a CSV file) built from the aggregates of `storage.results`, with
small figures hidden.

Hiding: no figure is shown with fewer than MIN_RESIDENTS residents behind it
counted with the filters applied, if any (1 to 4 show as "fewer than 5"; 0
is shown, it points at no one). Where a group's total is shown and exactly one
of its figures is hidden, the next smallest is hidden too, so that the hidden
one cannot be worked out by subtraction; that one may be large, so it reads
"hidden", never "fewer than 5". When fewer than MIN_RESIDENTS residents match
the filters at all, nothing is shown but that.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.console.results_places import departement_name, place_name
from bot.console.results_words import frequent_words
from flows.model import Flow, Question
from storage.results import Answers, Progress, Questions, Step

MIN_RESIDENTS = 5
HIDDEN = f"fewer than {MIN_RESIDENTS}"
PROTECTING = "hidden"
HIDDEN_NOTE = (
    f"Figures with fewer than {MIN_RESIDENTS} residents behind them read “{HIDDEN}”, "
    "so that no one can be recognised through a filter. Where a total would reveal "
    f"such a figure, the next smallest reads “{PROTECTING}”: it may be of any size."
)


class Hidden(enum.Enum):
    """Why a figure is not shown, as the page says it."""

    SMALL = HIDDEN  # fewer than MIN_RESIDENTS residents behind it
    PROTECTING = PROTECTING  # hidden so that a small one cannot be worked out


# A figure as shown: a count, or why it is hidden.
Cell = int | Hidden

STATUSES = (
    ("completed", "Completed"),
    ("active", "In progress"),
    ("paused", "Paused"),
    ("expired", "Expired"),
    ("abandoned", "Stopped"),
)
_KIND = {
    "yes_no": "categorical",
    "choice": "categorical",
    "scale": "categorical",
    "multi_choice": "multi",
    "ranking": "multi",  # counted per choice ranked, whatever its rank
    "number": "numbers",
    "date": "dates",
    "postal_code": "places",
    "commune": "places",
    "free_text": "free_text",
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    count: Cell
    percent: float  # of the longest bar, for the chart

    @property
    def hidden(self) -> str | None:
        """What the chart reads instead of the bar; None: a bar."""
        return self.count.value if isinstance(self.count, Hidden) else None


@dataclass(frozen=True, slots=True)
class Table:
    key: str  # names its CSV file
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    bars: tuple[Bar, ...] = ()  # the chart; none: no chart
    note: str | None = None


@dataclass(frozen=True, slots=True)
class QuestionResults:
    question: Question
    number: int
    text: str
    tables: tuple[Table, ...]
    texts: tuple[str, ...] = ()  # approved free texts, when enough to show


@dataclass(frozen=True, slots=True)
class ResultsView:
    residents: int
    enough: bool  # MIN_RESIDENTS or more residents match the filters
    summary: tuple[tuple[str, str], ...]  # (what, figure)
    progress: Table
    funnel: Table
    most_left: str | None  # the question where most residents leave
    questions: tuple[QuestionResults, ...]
    # Residents who opened it (reached the consent question), as shown.
    opened: str = "–"

    def tables(self) -> Iterable[Table]:
        yield self.progress
        yield self.funnel
        for question in self.questions:
            yield from question.tables


def questions_of(flow: Flow) -> Questions:
    kinds: dict[str, list[str]] = {kind: [] for kind in set(_KIND.values())}
    for question in flow.questions:
        kinds[_KIND[question.type]].append(question.id)
    ranges = {
        q.id: (q.min, q.max)
        for q in flow.questions
        if q.type == "number" and q.min is not None and q.max is not None
    }
    return Questions(**{kind: tuple(ids) for kind, ids in kinds.items()}, ranges=ranges)


def shown(count: Cell) -> str:
    return count.value if isinstance(count, Hidden) else str(count)


def small(count: int) -> Cell:
    """`count`, or hidden if fewer than MIN_RESIDENTS residents are behind it."""
    return Hidden.SMALL if 0 < count < MIN_RESIDENTS else count


def hide(counts: Sequence[int], total_shown: bool = True) -> list[Cell]:
    """`counts` with small cells hidden, see the module's docstring."""
    result = [small(n) for n in counts]
    hidden = [i for i, n in enumerate(result) if isinstance(n, Hidden)]
    if total_shown and len(hidden) == 1:
        others = [(n, i) for i, n in enumerate(result) if isinstance(n, int) and n]
        if others:
            result[min(others)[1]] = Hidden.PROTECTING
    return result


def _share(count: Cell, total: int) -> str:
    if isinstance(count, Hidden):
        return count.value
    if not total:
        return "–"
    return f"{100 * count / total:.1f} %"


def _bars(labels: Sequence[str], counts: Sequence[Cell]) -> tuple[Bar, ...]:
    longest = max((n for n in counts if isinstance(n, int)), default=0)
    return tuple(
        Bar(label, n, 100 * n / longest if isinstance(n, int) and longest else 0.0)
        for label, n in zip(labels, counts, strict=True)
    )


def _counted(key: str, caption: str, first: str, labelled: Sequence[tuple[str, int]]) -> Table:
    """A table of counts and shares (of the total) with its chart."""
    total = sum(n for _, n in labelled)
    counts = hide([n for _, n in labelled])
    labels = [label for label, _ in labelled]
    rows = tuple(
        (label, shown(n), _share(n, total)) for label, n in zip(labels, counts, strict=True)
    )
    return Table(key, caption, (first, "Residents", "Share"), rows, _bars(labels, counts))


def build(
    flow: Flow,
    language: str,
    progress: Progress,
    steps: Sequence[Step],
    answers: Answers,
    texts: Mapping[str, Sequence[str]],
) -> ResultsView:
    residents = progress.consented
    enough = residents >= MIN_RESIDENTS
    by_status = [progress.by_status.get(status, 0) for status, _ in STATUSES]
    status_counts: list[Cell] = hide(by_status) if enough else [Hidden.SMALL] * len(by_status)
    completed = status_counts[0]
    median = progress.median_seconds
    # The median gives no count away: it needs enough residents behind it, not
    # the completed figure shown (hidden, it may be hiding another's).
    timed = enough and by_status[0] >= MIN_RESIDENTS
    summary = (
        ("Residents who consented", shown(residents if enough else Hidden.SMALL)),
        ("Completed", shown(completed)),
        ("Completion rate", _share(completed, residents) if enough else HIDDEN),
        ("Median time to complete", _duration(median) if timed and median is not None else "–"),
    )
    labels = [label for _, label in STATUSES]
    progress_table = Table(
        "progress",
        "Residents by where their conversation stands",
        ("Status", "Residents", "Share"),
        tuple(
            (label, shown(n), _share(n, residents))
            for label, n in zip(labels, status_counts, strict=True)
        ),
        _bars(labels, status_counts),
    )
    numbered = {q.id: i for i, q in enumerate(flow.questions, 1)}
    funnel_rows = []
    left_cells: dict[str, Cell] = {}
    left_counts: list[tuple[int, str]] = []
    for step in steps:
        if step.question_id not in numbered:
            continue
        answered, skipped, left = hide([step.answered, step.skipped, step.left])
        reached = hide([step.reached], total_shown=False)[0]
        name = f"{numbered[step.question_id]}. {step.question_id}"
        funnel_rows.append((name, shown(reached), shown(answered), shown(skipped), shown(left)))
        left_cells[name] = left
        if isinstance(left, int) and left > 0:
            left_counts.append((left, name))
    most_left = max(left_counts)[1] if left_counts else None
    funnel = Table(
        "funnel",
        "Drop-off: residents who reached each question, answered it, skipped it, left there",
        ("Question", "Reached", "Answered", "Skipped", "Left there"),
        tuple(funnel_rows),
        _bars(
            [row[0] for row in funnel_rows],
            [left_cells[row[0]] for row in funnel_rows],
        ),
        "Left there: the question was asked and the conversation stopped at it "
        "(it may still go on). The chart shows who left at each question.",
    )
    questions = tuple(
        _question(q, i, language, answers, texts.get(q.id, ()))
        for i, q in enumerate(flow.questions, 1)
    )
    return ResultsView(
        residents, enough, summary, progress_table, funnel, most_left, questions if enough else ()
    )


def _question(
    q: Question, number: int, language: str, answers: Answers, texts: Sequence[str]
) -> QuestionResults:
    key = f"q-{q.id}"
    caption = f"{number}. {q.text.get(language)}"
    tables: list[Table] = []
    shown_texts: tuple[str, ...] = ()
    counts = answers.values.get(q.id, {})
    if q.type in ("choice", "multi_choice", "ranking"):
        labelled = [(c.label.get(language), counts.get(c.id, 0)) for c in q.choices]
        table = _counted(key, caption, "Choice", labelled)
        if q.type in ("multi_choice", "ranking"):
            total = answers.answered.get(q.id, 0)
            hidden = hide([n for _, n in labelled], total_shown=False)
            table = Table(
                key,
                caption,
                table.header,
                tuple(
                    (label, shown(n), _share(n, total))
                    for (label, _), n in zip(labelled, hidden, strict=True)
                ),
                _bars([label for label, _ in labelled], hidden),
                ("Ranked choices" if q.type == "ranking" else "Several choices")
                + f" per resident: shares are of the {shown(_min(total))} "
                "residents who answered, and add up to more than 100 %.",
            )
        tables.append(table)
    elif q.type == "yes_no":
        labelled = [("Yes", counts.get("true", 0) + counts.get("1", 0))]
        labelled.append(("No", counts.get("false", 0) + counts.get("0", 0)))
        tables.append(_counted(key, caption, "Answer", labelled))
    elif q.type == "scale":
        low, high = q.min or 0, q.max or 0
        labelled = [(str(v), counts.get(str(v), 0)) for v in range(low, high + 1)]
        tables.append(_counted(key, caption, "Point of the scale", labelled))
    elif q.type == "number":
        bins = answers.bins.get(q.id, ())
        labelled = [(f"{b.low}–{b.high}" if b.high > b.low else str(b.low), b.count) for b in bins]
        tables.append(_counted(key, caption, "Range", labelled))
    elif q.type == "date":
        labelled = [(_month(month), n) for month, n in sorted(counts.items())]
        tables.append(_counted(key, caption, "Month", labelled))
    elif q.type in ("postal_code", "commune"):
        tables.extend(_places(key, caption, q, answers.places.get(q.id, {})))
    elif q.type == "free_text":
        statuses = answers.moderation.get(q.id, {})
        labelled = [
            (s.capitalize(), statuses.get(s, 0)) for s in ("approved", "pending", "rejected")
        ]
        tables.append(_counted(key, caption, "Moderation", labelled))
        if len(texts) >= MIN_RESIDENTS:
            shown_texts = tuple(texts)
            words = [(w, n) for w, n in frequent_words(texts) if n >= MIN_RESIDENTS]
            tables.append(
                Table(
                    f"words-{q.id}",
                    f"{number}. Most frequent words in the approved answers",
                    ("Word", "Approved answers using it"),
                    tuple((w, str(n)) for w, n in words),
                    _bars([w for w, _ in words], [n for _, n in words]),
                    "Counted once per answer; common words (stop words) left out, and "
                    f"words in fewer than {MIN_RESIDENTS} answers.",
                )
            )
    return QuestionResults(q, number, q.text.get(language), tuple(tables), shown_texts)


def _places(
    key: str, caption: str, q: Question, counts: Mapping[tuple[str, str], int]
) -> list[Table]:
    by_departement: dict[str, int] = {}
    for (departement, _), n in counts.items():
        by_departement[departement] = by_departement.get(departement, 0) + n
    departements = sorted(by_departement.items(), key=lambda item: (-item[1], item[0]))
    commune = q.type == "commune"
    places = sorted(counts.items(), key=lambda item: (-item[1], item[0][1]))
    listed = [(place_name(code, commune), n) for (_, code), n in places]
    return [
        _counted(
            key,
            f"{caption} — by département",
            "Département",
            [(departement_name(d), n) for d, n in departements],
        ),
        Table(
            f"{key}-places",
            f"{caption} — by {'commune' if commune else 'postal code'}",
            *_without_chart(_counted(key, "", "Commune" if commune else "Postal code", listed)),
        ),
    ]


def _without_chart(table: Table) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    return table.header, table.rows


def _min(total: int) -> Cell:
    return total if total >= MIN_RESIDENTS else Hidden.SMALL


def _month(month: str) -> str:
    try:
        return f"{_MONTHS[int(month[5:7]) - 1]} {month[:4]}"
    except (ValueError, IndexError):
        return month


def _duration(seconds: float) -> str:
    minutes, second = divmod(round(seconds), 60)
    hours, minute = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minute:02d} min"
    return f"{minute} min {second:02d} s"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A cell a spreadsheet will not run: one starting like a formula gets a
    leading apostrophe."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def as_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(cell) for cell in table.header])
    writer.writerows([csv_cell(cell) for cell in row] for row in table.rows)
    return out.getvalue()
