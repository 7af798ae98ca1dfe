"""Reading training data written in Rasa's NLU YAML format.

    version: "3.1"
    nlu:
    - intent: stop
      examples: |
        - je veux arrêter
        - [stop](command)
    - synonym: voiture
      examples: |
        - bagnole
    - lookup: fruits
      examples: |
        - pomme

Entity annotations (`[text](entity)`, `[text]{"entity": ...}`) are read as their
plain text. Other keys of the format (`regex`, `responses`, `stories`, `rules`,
metadata) are accepted and ignored, so a region's existing Rasa file can be used
as it is. A file that is not of this shape raises `TrainingDataError` with a
message saying what to fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

_ANNOTATION = re.compile(r"\[([^\[\]\n]{0,200})\](?:\([^()\n]{0,200}\)|\{[^{}\n]{0,500}\})")


class TrainingDataError(ValueError):
    """Training data that cannot be read; the message names the problem."""


@dataclass(frozen=True, slots=True)
class TrainingData:
    """Examples by intent, synonyms by canonical value, lookup tables by name."""

    intents: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    lookups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def merged(self, other: TrainingData) -> TrainingData:
        return TrainingData(
            intents=_merge(self.intents, other.intents),
            synonyms=_merge(self.synonyms, other.synonyms),
            lookups=_merge(self.lookups, other.lookups),
        )


def _merge(
    left: Mapping[str, tuple[str, ...]], right: Mapping[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    merged = dict(left)
    for name, examples in right.items():
        merged[name] = merged.get(name, ()) + tuple(
            e for e in examples if e not in merged.get(name, ())
        )
    return merged


def parse_training_data(text: str, *, source: str = "training data") -> TrainingData:
    """Read one Rasa NLU YAML document."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        raise TrainingDataError(
            f"{where}: not valid YAML ({getattr(error, 'problem', error)})"
        ) from None
    if document is None:
        return TrainingData()
    if not isinstance(document, dict):
        raise TrainingDataError(
            f"{source}: expected a mapping with an `nlu:` list at the top level"
        )
    items = document.get("nlu", [])
    if items is None:
        return TrainingData()
    if not isinstance(items, list):
        raise TrainingDataError(
            f"{source}: `nlu:` must be a list of `- intent:` / `- synonym:` items"
        )
    intents: dict[str, tuple[str, ...]] = {}
    synonyms: dict[str, tuple[str, ...]] = {}
    lookups: dict[str, tuple[str, ...]] = {}
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise TrainingDataError(
                f"{source}: item {position} of `nlu:` must be a mapping such as "
                "`- intent: NAME` with `examples: |`"
            )
        for kind, table in (("intent", intents), ("synonym", synonyms), ("lookup", lookups)):
            if kind in item:
                name = str(item[kind]).strip()
                if not name:
                    raise TrainingDataError(
                        f"{source}: item {position} has an empty `{kind}:` name"
                    )
                examples = _examples(item.get("examples"), source=source, position=position)
                table[name] = table.get(name, ()) + examples
    return TrainingData(intents=intents, synonyms=synonyms, lookups=lookups)


def parse_many(texts: Iterable[tuple[str, str]]) -> TrainingData:
    """Read several documents given as (source name, YAML text) and merge them."""
    data = TrainingData()
    for source, text in texts:
        data = data.merged(parse_training_data(text, source=source))
    return data


def _examples(raw: Any, *, source: str, position: int) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        lines = [line.strip() for line in raw.splitlines()]
        found = [line[1:].strip() for line in lines if line.startswith("-")]
        return tuple(_plain(example) for example in found if example)
    if isinstance(raw, list):
        examples = []
        for entry in raw:
            value = entry.get("text") if isinstance(entry, dict) else entry
            if isinstance(value, str) and value.strip():
                examples.append(_plain(value.strip()))
        return tuple(examples)
    raise TrainingDataError(
        f"{source}: item {position}: `examples:` must be a block of `- example` lines"
    )


def _plain(example: str) -> str:
    """The example as typed, without entity annotations."""
    if len(example) >= 2 and example[0] == example[-1] and example[0] in "\"'":
        example = example[1:-1]
    return _ANNOTATION.sub(r"\1", example)
