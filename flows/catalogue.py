"""The catalogue of every text the bot shows to residents, one YAML file per language.

`flows/texts/<code>.yml` (`fr.yml`, `en.yml`) holds, by section, the engine's
texts (`engine`), the channels' own (`telegram`, `telegram_menu`, `service`),
the web chat page, widget and protocol errors (`page`, `widget`, `protocol`),
the printed poster (`poster`), language names and dates. Organizers write the
questions, consent, intro and outro in their flows; everything else comes from
here. A region rewords a
message by editing a file, and adds a language by adding one: no code changes.

Every file must have exactly the keys of the others, with the same blanks
(`{title}`), and a non-empty text for each: `load_catalogue` checks that and
raises `CatalogueError` naming the file, the line and the key, so a missing
translation stops the start-up (and the test suite) instead of reaching a
resident.

Why the data is read here, in the pure core: the engine's texts are part of the
engine's behaviour, like a constant table, and every function of the engine
would otherwise need the catalogue threaded through it. The files are package
data read once, when this module is imported (`CATALOGUE`); no call reads a
file, so the engine stays free of I/O at run time. `Catalogue.parse` builds a
catalogue from texts in memory, which is what the tests and `load_catalogue`
use.

A text's language follows the one rule of `flows.language`: the first hint the
catalogue has, else the fallback language `en` (the catalogue's first).
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

from flows.document import parse_document
from flows.errors import CatalogueError, FlowProblem, FlowValidationError
from flows.language import offered_language, pick_language
from nlu.normalize import fold

FALLBACK = "en"
SECTIONS = (
    "language_names",
    "dates",
    "engine",
    "service",
    "receipts",
    "telegram",
    "telegram_menu",
    "page",
    "widget",
    "protocol",
    "poster",
)
_MONTHS = 12


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Language code -> section -> key -> text, and the months of each language."""

    languages: tuple[str, ...]  # the fallback first
    texts: Mapping[str, Mapping[str, Mapping[str, str]]]
    months: Mapping[str, tuple[str, ...]]

    def language(self, *hints: str | None) -> str:
        """The catalogue language for these hints (`flows.language.pick_language`)."""
        return pick_language(self.languages, *hints)

    def text(self, section: str, key: str, *hints: str | None, **values: object) -> str:
        """The text `section.key` in the first language of `hints` the
        catalogue has (else the fallback), its blanks filled with `values`."""
        template = self.texts[self.language(*hints)][section][key]
        return template.format(**values) if values else template

    def section(self, section: str, *hints: str | None) -> Mapping[str, str]:
        return self.texts[self.language(*hints)][section]

    def keys(self, section: str) -> tuple[str, ...]:
        return tuple(self.texts[self.languages[0]][section])

    def language_named(self, word: str) -> str | None:
        """The language a resident names ("/langue francais"): its code, or its
        name in any catalogue language, with or without accents; None if none."""
        wanted = fold(word)
        for code in self.languages:
            names = {code} | {self.text("language_names", code, lang) for lang in self.languages}
            if wanted in {fold(name) for name in names}:
                return code
        return None

    def language_tagged(self, tag: str | None) -> str | None:
        """The catalogue language of a platform's IETF tag ("fr", "fr-BE",
        "en-GB" -> "fr", "en"); None when the catalogue has none for it."""
        return offered_language(self.languages, tag)

    @classmethod
    def parse(cls, files: Mapping[str, str]) -> Catalogue:
        """Build from `{language code: YAML text}`; raise CatalogueError listing
        every problem (malformed YAML, a key missing in a language, blanks that
        differ between languages)."""
        if FALLBACK not in files:
            raise CatalogueError(
                [
                    FlowProblem(
                        f"texts/{FALLBACK}.yml", None, None, "the fallback language is missing"
                    )
                ]
            )
        read: dict[str, dict[str, dict[str, object]]] = {}
        lines: dict[str, Mapping[tuple[str | int, ...], int]] = {}
        problems: list[FlowProblem] = []
        for code, text in files.items():
            source = f"texts/{code}.yml"
            try:
                document = parse_document(text, source)
            except FlowValidationError as error:
                problems.extend(error.problems)
                continue
            problems.extend(document.problems)
            lines[code] = document.lines
            read[code] = _sections(document.data, source, problems)
        if problems:
            raise CatalogueError(problems)
        languages = (FALLBACK, *sorted(code for code in read if code != FALLBACK))
        _compare(read, lines, languages, problems)
        if problems:
            raise CatalogueError(problems)
        texts = {
            code: MappingProxyType(
                {
                    name: MappingProxyType(
                        {
                            key: value
                            for key, value in read[code][name].items()
                            if isinstance(value, str)  # all but the months, once checked
                        }
                    )
                    for name in SECTIONS
                }
            )
            for code in languages
        }
        months = {code: tuple(_strings(read[code]["dates"]["months"])) for code in languages}
        return cls(languages, MappingProxyType(texts), MappingProxyType(months))


def _sections(
    data: object, source: str, problems: list[FlowProblem]
) -> dict[str, dict[str, object]]:
    if not isinstance(data, dict):
        problems.append(FlowProblem(source, 1, None, "expected a mapping of sections"))
        return {}
    result: dict[str, dict[str, object]] = {}
    for name in SECTIONS:
        section = data.get(name)
        if not isinstance(section, dict):
            problems.append(
                FlowProblem(
                    source, None, None, f"the section '{name}' is missing", "copy it from en.yml"
                )
            )
            continue
        result[name] = section
    for name in data:
        if name not in SECTIONS:
            problems.append(
                FlowProblem(
                    source,
                    None,
                    None,
                    f"unknown section '{name}'",
                    f"use one of {', '.join(SECTIONS)}",
                )
            )
    return result


def _compare(
    read: Mapping[str, Mapping[str, Mapping[str, object]]],
    lines: Mapping[str, Mapping[tuple[str | int, ...], int]],
    languages: Sequence[str],
    problems: list[FlowProblem],
) -> None:
    """Every language has every key of every other, with the same blanks."""
    for name in SECTIONS:
        keys = {key for code in languages for key in read[code][name]}
        for key in sorted(keys):
            blanks: dict[str, frozenset[str]] = {}
            for code in languages:
                source = f"texts/{code}.yml"
                where = lines[code].get((name, key)) or lines[code].get((name,))
                value = read[code][name].get(key)
                if value is None:
                    others = [other for other in languages if key in read[other][name]]
                    problems.append(
                        FlowProblem(
                            source,
                            where,
                            None,
                            f"{name}.{key} is missing",
                            f"translate it from texts/{others[0]}.yml",
                        )
                    )
                elif name == "dates" and key == "months":
                    if len(_strings(value)) != _MONTHS:
                        problems.append(
                            FlowProblem(source, where, None, "dates.months needs the 12 months")
                        )
                elif not isinstance(value, str) or not value.strip():
                    problems.append(
                        FlowProblem(source, where, None, f"{name}.{key} must be a text")
                    )
                else:
                    try:
                        blanks[code] = _blanks(value)
                    except ValueError as error:
                        problems.append(
                            FlowProblem(
                                source,
                                where,
                                None,
                                f"{name}.{key}: {error}",
                                "check the braces { }",
                            )
                        )
            if len(set(blanks.values())) > 1:
                shown = "; ".join(
                    f"{code}: {', '.join(sorted(names)) or 'none'}"
                    for code, names in blanks.items()
                )
                problems.append(
                    FlowProblem(
                        f"texts/{languages[-1]}.yml",
                        lines[languages[-1]].get((name, key)),
                        None,
                        f"{name}.{key} has different blanks by language ({shown})",
                        "every translation keeps the same {names}",
                    )
                )


def _blanks(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def _strings(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str) and item.strip()]


def load_catalogue() -> Catalogue:
    """The catalogue shipped in the package: every `texts/*.yml`."""
    folder = resources.files("flows") / "texts"
    files = {
        entry.name.removesuffix(".yml"): entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".yml")
    }
    return Catalogue.parse(files)


CATALOGUE = load_catalogue()
