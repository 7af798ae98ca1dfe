"""The API's contribution objects (`bot.api.serializer.contribution_json`) as
JSON text, a line each, for `--format jsonl`.

The same text `json.dumps(contribution_json(...), ensure_ascii=False,
separators=(",", ":"))` gives, written without building the objects: the keys
and what is fixed per question are JSON text made once ("...,"question":"mode",
"type":"choice","value":"), only values are encoded per row, by the encoder
`json` itself uses. Building a dictionary per contribution and per answer, and
encoding it, took twice as long.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C function, where built
from typing import Any, Final

from bot.api.serializer import PublicIds, time_text
from bot.contributions import Asked
from bot.exports.source import Exported

_ENCODE: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_KEPT: Final = 4096  # texts kept encoded (choice ids, wordings, labels...) per kind
_LONGEST: Final = 1000  # characters of a text kept (a question's wording is seldom longer)


class ContributionLines:
    def __init__(self, ids: PublicIds) -> None:
        self._ids = ids
        self._texts: dict[str, str] = {}  # short texts seen again, encoded
        self._heads: dict[tuple[str, str], str] = {}  # by question id and type
        # By question, value and language; with the question, whose id is only
        # its own while it lives.
        self._labels: dict[tuple[int, str, str], tuple[Asked, str]] = {}

    def text(self, page: list[Exported]) -> str:
        """The page's objects, a line each."""
        contributions = self._ids.contributions([stored[1] for stored, _, _ in page])
        answers = iter(self._ids.answers([a[1] for _, kept, _ in page for a in kept]))
        short = self._short
        lines = []
        for (stored, kept, deployed), public_id in zip(page, contributions, strict=True):
            status = "partial" if stored[7] else "completed"
            lines.append(
                f'{{"id":"{public_id}","consultation":{short(stored[2])},'
                f'"flow_version":{deployed.version},"status":"{status}",'
                f'"channel":{short(stored[5])},"language":{short(stored[6])},'
                f'"completed_at":"{time_text(stored[9])}",'
                f'"participant":{encode_basestring(stored[8])},"answers":['
            )
            separator = ""
            for _, _, asked, question_id, value, wording, language in kept:
                lines.append(
                    f'{separator}{{"id":"{next(answers)}{self._head(asked, question_id)}'
                    f'{self._value(value)},"labels":{self._labels_of(asked, value, language)},'
                    f'"wording":{short(wording)},"language":{short(language)}}}'
                )
                separator = ","
            lines.append("]}\n")
        return "".join(lines)

    def _short(self, text: str) -> str:
        found = self._texts.get(text)
        if found is None:
            found = encode_basestring(text)
            if len(self._texts) < _KEPT and len(text) <= _LONGEST:
                self._texts[text] = found
        return found

    def _head(self, asked: Asked, question_id: str) -> str:
        key = (question_id, asked.type)
        found = self._heads.get(key)
        if found is None:
            found = self._heads[key] = (
                f'","question":{_ENCODE(question_id)},"type":{_ENCODE(asked.type)},"value":'
            )
        return found

    def _value(self, value: Any) -> str:
        kind = type(value)
        if kind is str:
            return encode_basestring(value)
        if kind is int:  # as json writes an int (a bool is not one here)
            return int.__repr__(value)
        return _ENCODE(value)

    def _labels_of(self, asked: Asked, value: Any, language: str) -> str:
        if asked.detail or not asked.question.choices:  # free text, a number...
            return "[]"
        if type(value) is list:  # not kept
            return _ENCODE(list(asked.labels(value, language)))
        if type(value) is not str:  # a number, a date...: no labels (Asked.labels)
            return "[]"
        key = (id(asked), value, language)
        found = self._labels.get(key)
        if found is not None and found[0] is asked:
            return found[1]
        made = _ENCODE(list(asked.labels(value, language)))
        if len(self._labels) < _KEPT:
            self._labels[key] = (asked, made)
        return made
