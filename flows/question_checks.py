"""The checks of one question of a flow file on its own: its id, its texts in
every language, its range, lengths and scale points, and its choices (ids,
labels, a word that would match two choices, synonyms that will misfire,
'other' and 'exclusive' where they apply, ranks and selections within the
choices). flows.validation runs them on each question that parsed, and
reports what they find with its line and a hint.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol

from flows.document import YamlPath
from flows.limits import MAX_CHOICES
from flows.schema import (
    SNAKE_CASE_PATTERN,
    ChoiceDoc,
    ChoiceQuestion,
    DateQuestion,
    FreeTextQuestion,
    MultiChoiceQuestion,
    NumberQuestion,
    QuestionDoc,
    RankingQuestion,
    ScaleQuestion,
)
from flows.synonym_checks import Name, misfires
from flows.when import did_you_mean

SNAKE_CASE = re.compile(SNAKE_CASE_PATTERN)
MAX_SCALE_POINTS = 11


class Report(Protocol):
    """Where the checks report: flows.validation's checker."""

    languages: tuple[str, ...] | None  # the flow's, None when they are wrong

    def add(self, path: YamlPath, message: str, hint: str | None = None) -> None: ...

    def warn(self, path: YamlPath, message: str, hint: str | None = None) -> None: ...

    def translated(self, path: YamlPath, what: str) -> None:
        """Report whether the text at `path` has exactly the flow's languages."""


def check_question(report: Report, path: YamlPath, question: QuestionDoc) -> None:
    """Report the problems of `question`, found at `path` in the flow file."""
    if not SNAKE_CASE.fullmatch(question.id):
        report.add(
            (*path, "id"),
            f"the question id '{question.id}' is not snake_case",
            f"use lowercase letters, digits and _, e.g. '{snake_case_of(question.id)}'",
        )
    for key in ("text", "retry", "help", "min_label", "max_label"):
        report.translated((*path, key), f"the {key.replace('_', ' ')}")
    if isinstance(question, ChoiceQuestion | MultiChoiceQuestion | RankingQuestion):
        _choices(report, path, question.choices)
    if isinstance(question, ChoiceQuestion | RankingQuestion):
        for index, choice in enumerate(question.choices):
            if choice.exclusive:
                report.add(
                    (*path, "choices", index, "exclusive"),
                    f"'exclusive' applies to multi_choice questions only: a {question.type}"
                    " question takes no combination of choices",
                    "remove it",
                )
    if isinstance(question, RankingQuestion):
        _ranking(report, path, question)
    if isinstance(question, MultiChoiceQuestion):
        _selections(report, path, question)
    if isinstance(question, NumberQuestion | ScaleQuestion | DateQuestion):
        _range(report, path, question)
    lengths = (
        (question.min_length, question.max_length)
        if isinstance(question, FreeTextQuestion)
        else (None, None)
    )
    if lengths[0] is not None and lengths[1] is not None and lengths[0] > lengths[1]:
        report.add(
            (*path, "min_length"),
            f"min_length ({lengths[0]}) is greater than max_length ({lengths[1]})",
            "swap them",
        )
    if isinstance(question, ScaleQuestion) and question.max - question.min + 1 > MAX_SCALE_POINTS:
        report.add(
            (*path, "max"),
            f"a scale from {question.min} to {question.max} has too many points"
            f" (at most {MAX_SCALE_POINTS})",
            "use a number question for wider ranges",
        )
    elif isinstance(question, ScaleQuestion) and question.min == question.max:
        report.add((*path, "max"), "a scale needs at least two points", "e.g. min: 1, max: 5")


def _range(
    report: Report, path: YamlPath, question: NumberQuestion | ScaleQuestion | DateQuestion
) -> None:
    if isinstance(question, DateQuestion):
        dates = question.min, question.max
        wrong = dates[0] is not None and dates[1] is not None and dates[0] > dates[1]
    else:
        numbers = question.min, question.max
        wrong = numbers[0] is not None and numbers[1] is not None and numbers[0] > numbers[1]
    if wrong:
        report.add(
            (*path, "min"),
            f"min ({question.min}) is greater than max ({question.max})",
            "swap them",
        )


def _choices(report: Report, path: YamlPath, choices: list[ChoiceDoc]) -> None:
    if len(choices) < 2:
        report.add((*path, "choices"), "a choice question needs at least two choices")
    if len(choices) > MAX_CHOICES:
        report.add(
            (*path, "choices"),
            f"this question has {len(choices)} choices, more than the {MAX_CHOICES}"
            " a question may have",
            "group them, or ask a free text question",
        )
    others = [index for index, choice in enumerate(choices) if choice.other]
    for index in others[1:]:
        report.add(
            (*path, "choices", index, "other"),
            "a question may have only one choice marked 'other: true'",
            f"keep it on '{choices[others[0]].id}' only",
        )
    seen: dict[str, int] = {}
    words: dict[tuple[str, str], str] = {}  # (language, word) -> choice id
    for index, choice in enumerate(choices):
        at = (*path, "choices", index)
        if not SNAKE_CASE.fullmatch(choice.id):
            report.add(
                (*at, "id"),
                f"the choice id '{choice.id}' is not snake_case",
                f"use lowercase letters, digits and _, e.g. '{snake_case_of(choice.id)}'",
            )
        if choice.id in seen:
            report.add((*at, "id"), f"two choices have the id '{choice.id}'", "rename one")
        seen.setdefault(choice.id, index)
        report.translated((*at, "label"), f"the label of '{choice.id}'")
        for lang, word in _words(report, at, choice):
            other = words.setdefault((lang, word.casefold()), choice.id)
            if other != choice.id:
                report.add(
                    at,
                    f"'{word}' ({lang}) would match both '{other}' and '{choice.id}'",
                    "keep the word for one choice only",
                )

    _misfires(report, path, choices)


def _misfires(report: Report, path: YamlPath, choices: list[ChoiceDoc]) -> None:
    """Warnings for synonyms that will misfire (`flows.synonym_checks`)."""
    langs = report.languages or ()
    if not langs:
        return  # the languages have their own problem
    names: list[Name] = []
    for choice in choices:
        label = choice.label
        labels = list(label.items()) if isinstance(label, dict) else [(langs[0], label)]
        names.extend(Name(choice.id, lang, text, None) for lang, text in labels)
        for lang, words in (choice.synonyms or {}).items():
            names.extend(Name(choice.id, lang, w, k) for k, w in enumerate(words))
    at = {c.id: i for i, c in enumerate(choices)}
    for misfire in misfires(names):
        name = misfire.name
        index = name.synonym_at if name.synonym_at is not None else 0
        where = (*path, "choices", at[name.choice], "synonyms", name.language, index)
        report.warn(where, misfire.message, misfire.hint)


def _words(report: Report, at: YamlPath, choice: ChoiceDoc) -> list[tuple[str, str]]:
    langs = report.languages or ()
    label = choice.label
    found = [(lang, label.get(lang, "")) for lang in langs] if isinstance(label, dict) else []
    if isinstance(label, str) and langs:
        found.append((langs[0], label))
    for lang, synonyms in (choice.synonyms or {}).items():
        if langs and lang not in langs:
            report.add(
                (*at, "synonyms", lang),
                f"synonyms in '{lang}', which is not one of the flow's languages"
                f" ({', '.join(langs)})",
                did_you_mean(lang, langs) or f"add {lang} to languages or remove them",
            )
        found.extend((lang, word) for word in synonyms)
    return [(lang, word) for lang, word in found if word.strip()]


def _ranking(report: Report, path: YamlPath, question: RankingQuestion) -> None:
    for index, choice in enumerate(question.choices):
        if choice.other:
            report.add(
                (*path, "choices", index, "other"),
                "'other' applies to choice and multi_choice questions, not to a ranking",
                "remove it, and ask a free_text question after the ranking",
            )
    count = len(question.choices)
    if question.ranks is not None and count >= 2 and question.ranks > count:
        report.add(
            (*path, "ranks"),
            f"ranks is {question.ranks} but the question has only {count} choices",
            f"use at most {count}",
        )


def _selections(report: Report, path: YamlPath, question: MultiChoiceQuestion) -> None:
    low, high, count = question.min_selections, question.max_selections, len(question.choices)
    if low is not None and high is not None and low > high:
        report.add(
            (*path, "min_selections"),
            f"min_selections ({low}) is greater than max_selections ({high})",
            "swap them",
        )
    for key, value in (("min_selections", low), ("max_selections", high)):
        if value is not None and count >= 2 and value > count:
            report.add(
                (*path, key),
                f"{key} is {value} but the question has only {count} choices",
                f"use at most {count}",
            )


# Letters that lose nothing but their accent once decomposed are not enough: these
# are letters of their own in French and German.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "Oe", "æ": "ae", "Æ": "Ae", "ß": "ss"})


def snake_case_of(name: str) -> str:
    """An id in snake_case close to `name`, to suggest ("Mode Transport" -> "mode_transport",
    "Pompe à chaleur" -> "pompe_a_chaleur", "l’énergie" -> "l_energie")."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_LIGATURES))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))  # é -> e
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", plain)
    snake = re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")
    return snake if snake and snake[0].isalpha() else f"q_{snake}"
