"""A flow file's YAML read into plain values, with the line of every key and item.

PyYAML's composer gives nodes with their marks; we build the plain values
ourselves instead of using its constructor so that:
- every mapping key and list item gets its line (errors point at the right line),
- YAML 1.1 surprises are avoided where they hurt organizers: `no`, `yes`, `on`,
  `off` stay texts (a choice labelled "No" is not `False`; only `true`/`false`
  are booleans), and numbers with a leading zero (`01000`, a postal code) stay
  texts instead of becoming octal,
- a `?` inside a text in `{...}` or `[...]` is part of the text, as in YAML 1.2
  (`{fr: Acceptez-vous ?, en: Do you agree?}`); PyYAML (YAML 1.1) refuses it,
  and French questions end with " ?",
- a duplicated key is reported instead of silently overwriting the first,
- aliases cannot blow up: expanded values and nesting depth are capped (YAML
  bombs, self-referencing aliases).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.tokens import ScalarToken

from flows.errors import FlowProblem, FlowValidationError

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


class _Loader(yaml.SafeLoader):
    """SafeLoader whose plain scalars may contain `?` in flow context, and whose
    (recursive) composer refuses to nest deeper than MAX_DEPTH."""

    depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in the stubs
                raise _TooDeep(event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    # Adapted from PyYAML's Scanner.scan_plain (MIT licence, (c) Kirill Simonov):
    # the only change is that '?' no longer ends a plain scalar inside {...}/[...].
    def scan_plain(self) -> ScalarToken:
        chunks: list[str] = []
        start_mark = self.get_mark()
        end_mark = start_mark
        indent = self.indent + 1
        spaces: list[str] = []
        blank = "\0 \t\r\n\x85\u2028\u2029"
        while True:
            length = 0
            if self.peek() == "#":
                break
            while True:
                ch = self.peek(length)
                if (
                    ch in blank
                    or (
                        ch == ":"
                        and self.peek(length + 1) in blank + (",[]{}" if self.flow_level else "")
                    )
                    or (self.flow_level and ch in ",[]{}")
                ):
                    break
                length += 1
            if length == 0:
                break
            self.allow_simple_key = False
            chunks.extend(spaces)
            chunks.append(self.prefix(length))
            self.forward(length)
            end_mark = self.get_mark()
            spaces = self.scan_plain_spaces(indent, start_mark) or []
            if not spaces or self.peek() == "#" or (not self.flow_level and self.column < indent):
                break
        return ScalarToken("".join(chunks), True, start_mark, end_mark)


def parse_document(text: str, source: str) -> Document:
    """Read YAML text; raise FlowValidationError if it is not usable YAML at all."""
    try:
        loader = _Loader(text)  # checks every character at once
    except yaml.YAMLError as error:
        raise _yaml_error(error, text, source) from None
    try:
        root = loader.get_single_node()
    except _TooDeep as error:
        raise _fatal(
            source,
            _line(error.mark),
            f"the YAML nests more than {MAX_DEPTH} levels deep",
            "a flow needs far fewer; check the indentation and brackets",
        ) from None
    except yaml.YAMLError as error:
        raise _yaml_error(error, text, source) from None
    finally:
        loader.dispose()
    if root is None:
        raise _fatal(source, 1, "the file is empty", "a flow starts with `id:`, `title:`, ...")
    builder = _Builder(source)
    data = builder.value(root, ())
    return Document(data, source, builder.lines, tuple(builder.problems))


class _TooDeep(Exception):
    def __init__(self, mark: object) -> None:
        super().__init__("too deep")
        self.mark = mark


def _line(mark: object) -> int | None:
    line = getattr(mark, "line", None)  # yaml.Mark, or the C loader's
    return line + 1 if isinstance(line, int) else None


def _fatal(source: str, line: int | None, message: str, hint: str | None) -> FlowValidationError:
    return FlowValidationError([FlowProblem(source, line, None, message, hint)])


def _yaml_error(error: yaml.YAMLError, text: str, source: str) -> FlowValidationError:
    if isinstance(error, yaml.reader.ReaderError):
        line = text.count("\n", 0, error.position) + 1
        return _fatal(
            source,
            line,
            f"the file contains a character that YAML does not allow ({_codepoint(error)})",
            "remove control characters; save the file as plain UTF-8 text",
        )
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        if "end of stream" in (error.problem or "") and error.context_mark is not None:
            mark = error.context_mark  # an unclosed quote or bracket: where it opened
        parts = [part for part in (error.context, error.problem) if part]
        message = "malformed YAML: " + (", ".join(parts) or "cannot be read")
        return _fatal(source, _line(mark), message, _yaml_hint(error.problem or ""))
    return _fatal(source, None, f"malformed YAML: {error}", None)


def _codepoint(error: yaml.reader.ReaderError) -> str:
    character = error.character
    code = character if isinstance(character, int) else ord(str(character)[:1] or "?")
    return f"U+{code:04X}"


def _yaml_hint(problem: str) -> str:
    if "'\\t'" in problem or "tab" in problem:
        return "indent with spaces, never tabs"
    if "but got '?'" in problem or "found '?'" in problem:
        return (
            "inside { } or [ ], a text with ' ?' or ',' must be quoted:"
            ' {fr: "Acceptez-vous ?", en: "Do you agree?"}'
        )
    if "another document" in problem:
        return "a flow file holds one document: remove the '---' line"
    if "mapping values are not allowed" in problem:
        return "a text containing ': ' must be quoted, e.g. text: \"Note: ...\""
    if "found undefined alias" in problem:
        return "an alias *name needs an anchor &name earlier in the file"
    return "check the indentation and the quotes on this line and the one before"


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: dict[YamlPath, int] = {}
        self.problems: list[FlowProblem] = []
        self.count = 0
        self.constructor = SafeConstructor()

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
        if node.tag != _TAG + expected:
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
            key = key_node.value  # keys are names: their text as written, never 1 or True
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

    def scalar(self, node: ScalarNode) -> object:
        tag = node.tag.removeprefix(_TAG)
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
    return "!!" + node.tag.removeprefix(_TAG) if node.tag.startswith(_TAG) else node.tag
