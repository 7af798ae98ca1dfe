"""Every problem of a flow file, found at once, each with its line and a hint.

Two passes over a `flows.document.Document`:
1. the pydantic models of `flows.schema` (types, required and unknown keys),
   their errors rewritten for organizers by `flows.schema_errors`;
2. the rules that need the whole flow: ids (snake_case, unique), a translation
   for every declared language, each question's own checks (ranges, lengths,
   choices: `flows.question_checks`), and `when` conditions (read by
   `flows.when`).
The second pass runs on whatever parsed in the first, question by question, so
one broken question does not hide the problems of the others.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from flows import export_spec
from flows.conditions import Condition
from flows.document import Document, YamlPath
from flows.errors import FlowProblem, FlowValidationError
from flows.limits import (
    MAX_CONDITION_DEPTH,
    MAX_CONDITION_TERMS,
    MAX_QUESTIONS,
    condition_size,
)
from flows.model import COMMENTED_TYPES
from flows.question_checks import check_question, snake_case_of
from flows.schema import (
    FLOW_ID_PATTERN,
    QUESTION,
    QUESTION_MODELS,
    STEP_KINDS,
    ChoiceDoc,
    FlowDoc,
    QuestionDoc,
    step_kind,
)
from flows.schema_errors import explain, strip_tag
from flows.text_field import LANGUAGE_PATTERN, TRANSLATED, describe
from flows.when import WhenReader, did_you_mean

FLOW_ID = re.compile(FLOW_ID_PATTERN)


@dataclass(frozen=True, slots=True)
class CheckedFlow:
    """A flow file that passed every check, with its conditions read."""

    doc: FlowDoc
    conditions: Mapping[str, Condition]
    # Not errors: synonyms that will misfire (`flows.synonym_checks`); the CLI
    # lists them, `--strict` refuses them.
    warnings: tuple[FlowProblem, ...] = ()


def validate_document(document: Document) -> CheckedFlow:
    """Check a read flow file; raise FlowValidationError listing every problem."""
    data = document.data
    if not isinstance(data, dict):
        raise FlowValidationError(
            [
                *document.problems,
                FlowProblem(
                    document.source,
                    document.line_of(()),
                    None,
                    f"a flow must be a mapping of keys (id, title, questions, ...), got"
                    f" {describe(data)}",
                    "start the file with 'id: my_consultation'",
                ),
            ]
        )
    checker = _Checker(document, data)
    doc: FlowDoc | None = None
    try:
        doc = FlowDoc.model_validate(data)
    except ValidationError as error:
        for details in error.errors():
            checker.pydantic_error(details)
    conditions = checker.check()
    if checker.problems or doc is None:
        raise FlowValidationError(sorted(checker.problems, key=lambda p: p.line or 0))
    return CheckedFlow(doc, conditions, tuple(sorted(checker.warnings, key=lambda p: p.line or 0)))


class _Checker:
    def __init__(self, document: Document, data: dict[str, Any]) -> None:
        self.document = document
        self.data = data
        self.problems: list[FlowProblem] = list(document.problems)
        self.warnings: list[FlowProblem] = []
        self.reading_lines = {problem.line for problem in document.problems}
        raw_questions = data.get("questions")
        self.raw_questions: list[object] = raw_questions if isinstance(raw_questions, list) else []
        self.languages: tuple[str, ...] | None = None

    # -- reporting ---------------------------------------------------------

    def warn(self, path: YamlPath, message: str, hint: str | None = None) -> None:
        before = len(self.problems)
        self.add(path, message, hint)
        self.warnings.append(self.problems.pop(before))

    def add(self, path: YamlPath, message: str, hint: str | None = None) -> None:
        question_id = None
        if len(path) >= 2 and path[0] == "questions" and isinstance(path[1], int):
            raw = self.raw_questions[path[1]] if path[1] < len(self.raw_questions) else None
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                question_id = raw["id"]
        line = self.document.line_of(path)
        self.problems.append(FlowProblem(self.document.source, line, question_id, message, hint))

    def pydantic_error(self, details: ErrorDetails) -> None:
        path, tag = strip_tag(details["loc"])
        if path == ("questions",) and details["input"] is None:
            return  # reported as an empty flow
        ctx = details.get("ctx") or {}
        if ctx.get("key") is not None:
            path = (*path, ctx["key"])
        if self.document.line_of(path) in self.reading_lines:
            return  # the value was already refused while reading (a bad date, a tag)
        message, hint = explain(details, path, tag, self._declared_languages())
        self.add(path, message, hint)

    def _declared_languages(self) -> tuple[str, ...]:
        raw = self.data.get("languages")
        return tuple(lang for lang in raw if isinstance(lang, str)) if isinstance(raw, list) else ()

    # -- whole-flow rules --------------------------------------------------

    def check(self) -> dict[str, Condition]:
        self.languages = self._languages()
        flow_id = self.data.get("id")
        if isinstance(flow_id, str) and not FLOW_ID.fullmatch(flow_id):
            self.add(
                ("id",),
                f"the flow id '{flow_id}' must be lowercase letters, digits, _ or -",
                f"e.g. '{snake_case_of(flow_id)}'",
            )
        opens, closes = self.data.get("opens"), self.data.get("closes")
        if _is_date(opens) and _is_date(closes) and opens > closes:
            self.add(("closes",), f"the flow closes ({closes}) before it opens ({opens})")
        for key in ("title", "intro", "consent", "outro"):
            self.translated((key,), key)
        self.translated(("export", "decidim", "title"), "the Decidim title")
        export_spec.check(self.data, self.add)
        if "questions" in self.data and self.data["questions"] in (None, []):
            self.add(
                ("questions",),
                "the flow has no questions",
                "add at least one question under 'questions:'",
            )
        count = sum(1 for raw in self.raw_questions if step_kind(raw) not in STEP_KINDS)
        if count > MAX_QUESTIONS:
            self.add(
                ("questions",),
                f"the flow has {count} questions, more than the {MAX_QUESTIONS} a flow may have",
                "split it into several consultations",
            )
        return self._questions()

    def _languages(self) -> tuple[str, ...] | None:
        raw = self.data.get("languages")
        if not isinstance(raw, list) or not raw:
            return None
        if not all(isinstance(lang, str) and re.fullmatch(LANGUAGE_PATTERN, lang) for lang in raw):
            return None
        seen: list[str] = []
        for index, lang in enumerate(raw):
            if lang in seen:
                self.add(("languages", index), f"the language '{lang}' is listed twice")
            else:
                seen.append(lang)
        return tuple(seen)

    def translated(self, path: YamlPath, what: str) -> None:
        """A text at `path` (if valid) has exactly the flow's languages."""
        value = _get(self.data, path)
        if value is None or self.languages is None:
            return
        try:
            text = TRANSLATED.validate_python(value)
        except ValidationError:
            return  # reported by the first pass
        langs = self.languages
        if isinstance(text, str):
            if len(langs) > 1:
                self.add(
                    path,
                    f"{what} is a plain text, so only in {langs[0]}; it has no"
                    f" {', '.join(langs[1:])}"
                    " translation",
                    f"write it as a mapping: {{{', '.join(f'{lang}: ...' for lang in langs)}}}",
                )
            return
        missing = [lang for lang in langs if lang not in text]
        if missing:
            self.add(
                path,
                f"{what} has no translation for {', '.join(missing)}",
                f"add {missing[0]}: ... to it, or remove {missing[0]} from languages",
            )
        for lang in text:
            if lang not in langs:
                close = did_you_mean(lang, langs)
                self.add(
                    (*path, lang),
                    f"{what} has a '{lang}' translation, but '{lang}' is not one of the flow's"
                    f" languages ({', '.join(langs)})",
                    close or f"add {lang} to languages, or remove this text",
                )

    # -- questions ---------------------------------------------------------

    def _questions(self) -> dict[str, Condition]:
        order = tuple(_raw_id(raw) for raw in self.raw_questions)
        known: dict[str, QuestionDoc] = {}
        first_line: dict[str, int | None] = {}
        conditions: dict[str, Condition] = {}
        for index, raw in enumerate(self.raw_questions):
            path: YamlPath = ("questions", index)
            kind = step_kind(raw)
            if kind in STEP_KINDS:
                self._step(path, str(kind), index)
                continue
            question_id = order[index]
            if question_id in first_line:
                self.add(
                    (*path, "id"),
                    f"two questions have the id '{question_id}' (the first on line"
                    f" {first_line[question_id]})",
                    "give each question its own id",
                )
            elif question_id:
                first_line[question_id] = self.document.line_of((*path, "id"))
            try:
                question = QUESTION.validate_python(_known_keys(raw))
            except ValidationError:
                continue  # reported by the first pass
            if question.skip_if_commented is not None:
                self._commented((*path, "skip_if_commented"), question, known)
            known.setdefault(question.id, question)
            check_question(self, path, question)
            if question.when is not None:
                reader = WhenReader(question.id, index, order, known)
                condition, problems = reader.read(question.when, (*path, "when"))
                for problem in problems:
                    self.add(problem.path, problem.message, problem.hint)
                if condition is not None:
                    conditions[question.id] = condition
                    self._condition_size((*path, "when"), condition)
        return conditions

    def _commented(
        self, path: YamlPath, question: QuestionDoc, earlier: Mapping[str, QuestionDoc]
    ) -> None:
        """`skip_if_commented` names an earlier question whose answer takes a comment."""
        target_id = question.skip_if_commented
        target = earlier.get(target_id or "")
        if target is None:
            self.add(
                path,
                f"skip_if_commented refers to '{target_id}', which is not an earlier question",
                did_you_mean(str(target_id), list(earlier))
                or "name a yes_no, choice or scale question asked before this one",
            )
        elif target.type not in COMMENTED_TYPES:
            self.add(
                path,
                f"'{target_id}' is a {target.type} question, whose answers take no comment",
                "name a yes_no, choice or scale question",
            )

    def _step(self, path: YamlPath, kind: str, index: int) -> None:
        """An information step or a section title: its text, and a section has questions."""
        self.translated((*path, kind), "the section title" if kind == "section" else "the text")
        if kind != "section":
            return
        following = (step_kind(raw) for raw in self.raw_questions[index + 1 :])
        for after in following:
            if after == "section":
                break
            if after not in STEP_KINDS:
                return
        self.add(
            path,
            "this section has no questions",
            "put its questions after it, or remove it",
        )

    def _condition_size(self, path: YamlPath, condition: Condition) -> None:
        terms, depth = condition_size(condition)
        if terms > MAX_CONDITION_TERMS:
            self.add(
                path,
                f"this condition has {terms} comparisons, more than the"
                f" {MAX_CONDITION_TERMS} a 'when' may have",
                "simplify it, e.g. with 'in: [...]' instead of several 'eq'",
            )
        if depth > MAX_CONDITION_DEPTH:
            self.add(
                path,
                f"this condition nests all/any/not {depth} levels deep, more than"
                f" {MAX_CONDITION_DEPTH}",
                "simplify it",
            )


def _raw_id(raw: object) -> str:
    """A question's id as written (numbers become texts, as the schema makes them)."""
    value = raw.get("id") if isinstance(raw, dict) else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else ""


def _known_keys(raw: object) -> object:
    """A question without the keys its type does not have (already reported), so
    that a misspelt key does not hide the question's other problems."""
    kind = raw.get("type") if isinstance(raw, dict) else None
    if not isinstance(raw, dict) or not isinstance(kind, str) or kind not in QUESTION_MODELS:
        return raw
    fields = QUESTION_MODELS[kind].model_fields
    kept = {key: value for key, value in raw.items() if key in fields}
    if isinstance(kept.get("choices"), list):
        kept["choices"] = [
            {k: v for k, v in choice.items() if k in ChoiceDoc.model_fields}
            if isinstance(choice, dict)
            else choice
            for choice in kept["choices"]
        ]
    return kept


def _get(data: object, path: YamlPath) -> object:
    for step in path:
        if isinstance(step, int) and isinstance(data, list) and step < len(data):
            data = data[step]
        elif isinstance(step, str) and isinstance(data, dict):
            data = data.get(step)
        else:
            return None
    return data


def _is_date(value: object) -> TypeGuard[dt.date]:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
