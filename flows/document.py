"""A flow file's YAML read into plain values, with the line of every key and item.

ruamel.yaml (YAML 1.2) composes the nodes with their marks; we build the plain
values ourselves instead of using its constructor so that:
- every mapping key and list item gets its line (errors point at the right line),
- YAML 1.1 surprises stay away from organizers: `no`, `yes`, `on`, `off` are
  texts (a choice labelled "No" is not `False`; only `true`/`false` are
  booleans), and numbers with a leading zero (`01000`, a postal code) stay texts,
- a `?` inside a text in `{...}` or `[...]` is part of the text
  (`{fr: Acceptez-vous ?, en: Do you agree?}`), as YAML 1.2 says: French
  questions end with " ?",
- a duplicated key is reported with the line of the first one, among the
  file's other problems (ruamel's constructor would stop at the first),
- aliases cannot blow up: expanded values and nesting depth are capped (YAML
  bombs, self-referencing aliases),
- no tag builds anything: `!!python/...` and other tags are reported,
- a YAML error is told in the organizer's words, with the fix written out
  (`flows.yaml_mistakes`).

Why ruamel.yaml, measured: it replaces a patched copy of PyYAML's scanner
(PyYAML, YAML 1.1, ends a plain text at `?` inside braces). Its pure-Python
reader is slower: best of 5x20 reads on a shared machine (load average 12 on 2
cores), `flows/examples/lycees.yml` (8 KB) 329 ms against PyYAML's 106 ms,
`mobilite.yml` (2.4 KB) 96 ms against 53 ms; unloaded, divide by several. Its
faster C reader (libyaml, YAML 1.1) refuses the `?` as PyYAML does, so it is
not used. A flow is read when it is checked or deployed, and once per deployed
version and process (`bot.flow_catalog` keeps it), never per message: the cost
is paid off the residents' path.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from flows.errors import FlowProblem, FlowValidationError
from flows.invisible import invisible, invisible_name
from flows.yaml_mistakes import yaml_problem

YamlPath = tuple[str | int, ...]

MAX_DEPTH = 40  # a flow nests about 8 levels; deeper is a mistake or an attack
MAX_DIGITS = 15  # of a number; Python refuses to read past 4,300
MAX_VALUES = 200_000  # values after alias expansion; a large flow has a few thousand

_TAG = "tag:yaml.org,2002:"
_DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9_]*)")


@dataclass(frozen=True, slots=True)
class Document:
    """Plain values (dict, list, str, int, float, bool, date, None) and where they are."""

    data: object
    source: str
    lines: Mapping[YamlPath, int] = field(default_factory=dict)
    problems: tuple[FlowProblem, ...] = ()  # found while reading; validation adds its own

    def line_of(self, path: YamlPath) -> int | None:
        """The line of `path`, or of its nearest enclosing key or item."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None


class _Composer(Composer):
    """ruamel.yaml's (recursive) composer, refusing to nest deeper than MAX_DEPTH.
    An anchor defined again is YAML 1.2 (an alias names the latest): no warning."""

    depth = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.warn_double_anchors = False

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _TooDeep(self.parser.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _reader() -> YAML:
    reader = YAML(typ="safe", pure=True)
    reader.Composer = _Composer
    return reader


def parse_document(text: str, source: str) -> Document:
    """Read YAML text; raise FlowValidationError if it is not usable YAML at all."""
    reader = _reader()
    try:
        root = reader.compose(text)
    except _TooDeep as error:
        raise _fatal(
            source,
            _line(error.mark),
            f"the YAML nests more than {MAX_DEPTH} levels deep",
            "a flow needs far fewer; check the indentation and brackets",
        ) from None
    except YAMLError as error:
        raise FlowValidationError([yaml_problem(error, text, source)]) from None
    if root is None:
        raise _fatal(source, 1, "the file is empty", "a flow starts with `id:`, `title:`, ...")
    builder = _Builder(source, reader.constructor)
    data = builder.value(root, ())
    return Document(data, source, builder.lines, tuple(builder.problems))


class _TooDeep(Exception):
    def __init__(self, mark: object) -> None:
        super().__init__("too deep")
        self.mark = mark


def _line(mark: object) -> int | None:
    line = getattr(mark, "line", None)
    return line + 1 if isinstance(line, int) else None


def _fatal(source: str, line: int | None, message: str, hint: str | None) -> FlowValidationError:
    return FlowValidationError([FlowProblem(source, line, None, message, hint)])


class _Builder:
    def __init__(self, source: str, constructor: SafeConstructor) -> None:
        self.source = source
        self.lines: dict[YamlPath, int] = {}
        self.problems: list[FlowProblem] = []
        self.count = 0
        self.constructor = constructor  # for floats and dates, as YAML 1.2 writes them

    def problem(self, node: Node, message: str, hint: str | None = None) -> None:
        self.problems.append(FlowProblem(self.source, _line(node.start_mark), None, message, hint))

    def value(self, node: Node, path: YamlPath) -> object:
        self.count += 1
        if self.count > MAX_VALUES:
            raise _fatal(
                self.source,
                self.written_line(path, node),
                f"the anchors and aliases (&name, *name) expand to more than {MAX_VALUES} values",
                "a flow needs far fewer; write the content out instead of nesting aliases",
            )
        if len(path) > MAX_DEPTH:
            raise _fatal(
                self.source,
                self.written_line(path, node),
                f"the YAML nests more than {MAX_DEPTH} levels deep",
                "an alias (*name) probably refers to a value that contains it",
            )
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, MappingNode):
            return self.mapping(node, path)
        if isinstance(node, SequenceNode):
            self.check_tag(node, "seq")
            return [self.value(item, (*path, index)) for index, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return self.scalar(node)

    def written_line(self, path: YamlPath, node: Node) -> int | None:
        """For a value reached through aliases, its own line is the anchor's: name
        the top-level key being read instead."""
        return self.lines.get(path[:1]) or _line(node.start_mark)

    def check_tag(self, node: Node, expected: str) -> None:
        if _full_tag(node) != _TAG + expected:
            self.problem(node, f"the YAML tag {_tag(node)} is not allowed in a flow", "remove it")

    def mapping(self, node: MappingNode, path: YamlPath) -> dict[str, object]:
        self.check_tag(node, "map")
        result: dict[str, object] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, "a key must be a plain name, not a list or a mapping")
                continue
            key = self.plain_key(key_node)
            if key in first_line:
                self.problem(
                    key_node,
                    f"the key '{key}' appears twice here (first on line {first_line[key]})",
                    "keep one of them",
                )
                continue
            first_line[key] = line
            self.lines[(*path, key)] = line
            result[key] = self.value(value_node, (*path, key))
        return result

    def plain_key(self, node: ScalarNode) -> str:
        """A key's name as written (never 1 or True), without the non-breaking space
        a word processor puts before ':' in French, which is reported: read as
        part of the key, it would make 'type' a key of its own that nothing knows."""
        key = str(node.value)
        name = key.strip(" " + "".join(c for c in key if invisible(c)))
        odd = next((c for c in key if invisible(c) and c not in name), None)
        if odd is None or not name:
            return key
        where = "before ':'" if key.startswith(name) else f"before '{name}'"
        self.problem(
            node,
            f"there is {invisible_name(odd)} {where}",
            "delete it" + (" (or type a normal space)" if where == "before ':'" else ""),
        )
        return name

    def scalar(self, node: ScalarNode) -> object:
        tag = _full_tag(node).removeprefix(_TAG)
        text = node.value
        if tag == "str":
            return text
        if tag == "null":
            return None
        if tag == "bool":
            lowered = text.lower()
            return lowered == "true" if lowered in ("true", "false") else text
        if tag == "int":
            if not _DECIMAL.fullmatch(text):
                return text
            digits = text.replace("_", "").lstrip("+-")
            if len(digits) > MAX_DIGITS:
                shown = text if len(text) <= 20 else f"{text[:12]}… ({len(digits)} digits)"
                self.problem(
                    node,
                    f"the number {shown} is too long",
                    f"a number in a flow has at most {MAX_DIGITS} digits",
                )
                return None
            return int(text.replace("_", ""))
        if tag == "float":
            return self.constructor.construct_yaml_float(node)
        if tag == "timestamp":
            return self.timestamp(node)
        self.problem(node, f"the YAML tag {_tag(node)} is not allowed in a flow", "remove it")
        return text

    def timestamp(self, node: ScalarNode) -> object:
        try:
            value: dt.date = self.constructor.construct_yaml_timestamp(node)
        except ValueError:
            self.problem(node, f"'{node.value}' is not a real date", "write it YYYY-MM-DD")
            return node.value
        return value


def _tag(node: Node) -> str:
    tag = _full_tag(node)
    return "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag


def _full_tag(node: Node) -> str:
    return node.tag or ""  # ruamel.yaml resolves every node's tag; typed as optional
