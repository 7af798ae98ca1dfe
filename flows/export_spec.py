"""The flow's `export:` key: how its contributions become Decidim proposals.

    export:
      decidim:
        body: suggestion                  # a free_text question: the proposal's body
        title: {fr: "Mobilité : {mode}"}  # optional; {question_id} is its answer
        version: "0.30"                   # optional: 0.30 on maps `category` to taxonomies/ids
        scope: {question: area, ids: {north: 12, south: 13}}
        category: {question: theme, ids: {transport: 7}}

The keys' types are `flows.schema.DecidimExportDoc`; `check` finds what needs
the whole flow (questions that exist and have the right type, choices that
exist, placeholders, the version), each at its line; `build` makes the
immutable `DecidimExport` that `flows.model.Flow` carries.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flows.translated import Translated

# What a located problem is reported with: (path, message, hint).
Report = Callable[[tuple[str | int, ...], str, str | None], None]

VERSION_PATTERN = r"^0\.\d{2}$"
TAXONOMIES_FROM = 30  # Decidim 0.30 replaced categories by taxonomies
DEFAULT_VERSION = "0.29"
_VERSION = re.compile(VERSION_PATTERN)


@dataclass(frozen=True, slots=True)
class DecidimMapping:
    """Which Decidim id each choice of a question stands for."""

    question: str
    ids: tuple[tuple[str, int], ...]  # choice id -> Decidim id

    def of(self, chosen: object) -> tuple[int, ...]:
        picked = chosen if isinstance(chosen, list) else [chosen]
        return tuple(decidim_id for choice, decidim_id in self.ids if choice in picked)


@dataclass(frozen=True, slots=True)
class DecidimExport:
    body: str  # the free_text question whose approved text is the proposal's body
    title: Translated | None = None  # a template with {question_id} placeholders
    version: str = DEFAULT_VERSION
    scope: DecidimMapping | None = None
    category: DecidimMapping | None = None

    @property
    def taxonomies(self) -> bool:
        """Decidim 0.30 and later: `taxonomies/ids` instead of `category/id`."""
        return int(self.version.split(".")[1]) >= TAXONOMIES_FROM


def placeholders(template: str) -> list[str]:
    """The {question_id} names of a title template; ValueError if malformed."""
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


def check(data: Mapping[str, Any], report: Report) -> None:
    """Report what is wrong in the flow's `export:` (read as plain data)."""
    export = data.get("export")
    if not isinstance(export, dict) or not isinstance(export.get("decidim"), dict):
        return  # absent, or its shape is reported by the schema
    spec: dict[str, Any] = export["decidim"]
    path: tuple[str | int, ...] = ("export", "decidim")
    questions = {
        raw["id"]: raw
        for raw in data.get("questions") or []
        if isinstance(raw, dict) and isinstance(raw.get("id"), str)
    }
    _check_version(spec, path, report)
    body = spec.get("body")
    if isinstance(body, str):
        _check_question(questions, body, ("free_text",), (*path, "body"), report)
    _check_title(spec.get("title"), questions, (*path, "title"), report)
    taxonomies = isinstance(spec.get("version"), str) and bool(_VERSION.match(spec["version"]))
    taxonomies = taxonomies and int(spec["version"][2:]) >= TAXONOMIES_FROM
    for key in ("scope", "category"):
        mapping = spec.get(key)
        if isinstance(mapping, dict) and isinstance(mapping.get("question"), str):
            types = ("choice", "multi_choice") if key == "category" and taxonomies else ("choice",)
            _check_mapping(questions, mapping, types, (*path, key), report)


def _check_version(spec: Mapping[str, Any], path: tuple[str | int, ...], report: Report) -> None:
    version = spec.get("version")
    if isinstance(version, float):
        report(
            (*path, "version"),
            f"the Decidim version {version} is a number, so 0.30 would read as 0.3",
            f'write it in quotes: version: "{version:.2f}"',
        )
    elif isinstance(version, str) and not _VERSION.match(version):
        report(
            (*path, "version"),
            f"'{version}' is not a Decidim version",
            'write it as "0.27", "0.28", "0.29" or "0.30"',
        )


def _check_question(
    questions: Mapping[str, Any],
    question_id: str,
    types: tuple[str, ...],
    path: tuple[str | int, ...],
    report: Report,
) -> dict[str, Any] | None:
    raw = questions.get(question_id)
    wanted = " or ".join(types)
    if raw is None:
        known = [q for q, r in questions.items() if r.get("type") in types]
        report(
            path,
            f"there is no question '{question_id}' in the flow",
            f"give the id of a {wanted} question"
            + (f": {', '.join(known)}" if known else ", and add one under questions"),
        )
        return None
    if raw.get("type") not in types:
        report(
            path,
            f"question '{question_id}' is a {raw.get('type')} question; this needs a {wanted}"
            " question",
            None,
        )
        return None
    return dict(raw)


def _check_title(
    title: object, questions: Mapping[str, Any], path: tuple[str | int, ...], report: Report
) -> None:
    texts = title.items() if isinstance(title, dict) else [(None, title)]
    for lang, text in texts:
        if not isinstance(text, str):
            continue
        where = path if lang is None else (*path, lang)
        try:
            names = placeholders(text)
        except ValueError:
            report(
                where,
                f"the title '{text}' has an unmatched {{ or }}",
                "write {question_id} for an answer, {{ and }} for a brace",
            )
            continue
        for name in names:
            if name not in questions:
                report(
                    where,
                    f"the title refers to {{{name}}}, which is not a question of the flow",
                    f"use one of: {', '.join('{' + q + '}' for q in questions)}",
                )


def _check_mapping(
    questions: Mapping[str, Any],
    mapping: Mapping[str, Any],
    types: tuple[str, ...],
    path: tuple[str | int, ...],
    report: Report,
) -> None:
    raw = _check_question(questions, mapping["question"], types, (*path, "question"), report)
    ids = mapping.get("ids")
    if raw is None or not isinstance(ids, dict):
        return
    choices = [c.get("id") for c in raw.get("choices") or [] if isinstance(c, dict)]
    for choice in ids:
        if choice not in choices:
            report(
                (*path, "ids", choice),
                f"question '{mapping['question']}' has no choice '{choice}'",
                f"its choices are: {', '.join(str(c) for c in choices)}",
            )


def build(
    spec: Any, translate: Callable[[str | dict[str, str]], Translated]
) -> DecidimExport | None:
    """The model of a checked `flows.schema.ExportDoc` (or None)."""
    if spec is None or spec.decidim is None:
        return None
    doc = spec.decidim
    return DecidimExport(
        body=doc.body,
        title=None if doc.title is None else translate(doc.title),
        version=doc.version or DEFAULT_VERSION,
        scope=_mapping(doc.scope),
        category=_mapping(doc.category),
    )


def _mapping(doc: Any) -> DecidimMapping | None:
    if doc is None:
        return None
    return DecidimMapping(doc.question, tuple(doc.ids.items()))
