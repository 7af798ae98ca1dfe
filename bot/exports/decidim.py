"""Contributions as proposals for Decidim's "Import proposals from a file".

The flow says how (`export: {decidim: ...}`, `flows.export_spec`): which
free-text question is the body, how the title is formed, which choice questions
give the scope and the category (`category/id` up to Decidim 0.29,
`taxonomies/ids` from 0.30). Columns are `title/<locale>` and `body/<locale>`
for each of the flow's languages; a proposal fills those of its contribution's
language. A contribution without approved text for the body makes no proposal.

Decidim's default limits hold: a title of 15 to 150 characters, a body of at
most 500. A longer title is cut at a word with "…"; a shorter one is completed
with the beginning of the body (then the consultation's title, then the
contribution's id). A longer body is split into several proposals, each marked
"(1/3)", "(2/3)"... in its title and body, so that nothing approved is lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from bot.api.serializer import PublicIds
from bot.exports.source import Exported, ExportedConsultation
from bot.exports.table import LIST_SEPARATOR, text
from flows.export_spec import DecidimExport

TITLE_MIN = 15
TITLE_MAX = 150
BODY_MAX = 500
CUT = "…"
_SPACES = re.compile(r"\s+")


class NoDecidimExport(Exception):
    """The flow has no `export: {decidim: ...}`."""


class Proposals:
    def __init__(self, consultation: ExportedConsultation, ids: PublicIds) -> None:
        spec = consultation.live.flow.decidim_export
        if spec is None:
            raise NoDecidimExport(consultation.live.consultation_id)
        self._spec: DecidimExport = spec
        self._consultation = consultation
        self._ids = ids
        self._languages = consultation.live.flow.languages
        self.keys: list[str] = [f"title/{lang}" for lang in self._languages]
        self.keys += [f"body/{lang}" for lang in self._languages]
        if spec.scope is not None:
            self.keys.append("scope/id")
        if spec.category is not None:
            self.keys.append("taxonomies/ids" if spec.taxonomies else "category/id")

    def of(self, exported: Exported) -> Iterator[dict[str, Any]]:
        """The proposals of one contribution (none, one, or a body's parts):
        every one with `keys`, in that order; ids as numbers or None."""
        stored, kept, deployed = exported
        values = {answer[3]: answer[4] for answer in kept}
        body = _clean(text(values.get(self._spec.body)))
        if not body:
            return
        language = stored[6]
        if language not in self._languages:
            language = self._languages[0]
        parts = _split(body)
        for index, part in enumerate(parts, start=1):
            marker = f" ({index}/{len(parts)})" if len(parts) > 1 else ""
            title = self._title(exported, language, body, marker, deployed.flow.title.get)
            row: dict[str, Any] = dict.fromkeys(self.keys, "")
            row[f"title/{language}"] = title
            row[f"body/{language}"] = f"({index}/{len(parts)}) {part}" if marker else part
            if self._spec.scope is not None:
                row["scope/id"] = _first(self._spec.scope.of(values.get(self._spec.scope.question)))
            if self._spec.category is not None:
                found = self._spec.category.of(values.get(self._spec.category.question))
                if self._spec.taxonomies:
                    row["taxonomies/ids"] = list(found)
                else:
                    row["category/id"] = _first(found)
            yield row

    def _title(
        self, exported: Exported, language: str, body: str, marker: str, consultation: Any
    ) -> str:
        stored, kept, _ = exported
        template = self._spec.title
        if template is None:
            title = body
        else:
            answers = {}
            for _, _, asked, question_id, value, _, answer_language in kept:
                labels = asked.labels(value, answer_language)
                answers[question_id] = LIST_SEPARATOR.join(labels) if labels else text(value)
            title = _clean(template.get(language).format_map(_Blank(answers)))
        for more in (body, consultation(language), self._ids.contribution(stored[1])):
            if len(title) >= TITLE_MIN:
                break
            title = f"{title} — {more}" if title else more
        return _cut(title, TITLE_MAX - len(marker)) + marker


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:  # a question not answered
        return ""


def _first(found: tuple[int, ...]) -> int | None:
    return found[0] if found else None


def _clean(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


def _cut(value: str, limit: int) -> str:
    if len(value) <= limit:
        return value
    room = value[: limit - len(CUT)]
    at_word = room.rsplit(" ", 1)[0] if " " in room[limit // 2 :] else room
    return at_word.rstrip(" ,;:.-—") + CUT


def _split(body: str) -> list[str]:
    """The body in parts of at most BODY_MAX characters (a marker "(i/n) "
    included), cut between words where one is near."""
    if len(body) <= BODY_MAX:
        return [body]
    room = BODY_MAX - len("(99/99) ")
    parts = []
    rest = body
    while rest:
        if len(rest) <= room:
            parts.append(rest)
            break
        piece = rest[:room]
        space = piece.rfind(" ", room // 2)
        if space > 0:
            piece = piece[:space]
        parts.append(piece.strip())
        rest = rest[len(piece) :].strip()
    return parts
