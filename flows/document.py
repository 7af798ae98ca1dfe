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
- a YAML error is told from the lines it points at, in the README's words: a
  text to put in quotes (it starts with `*`, `@`, a quote..., or holds ': '), a
  quote never closed, a key not lined up, a non-breaking space or a tab in the
  indentation; the parser's own words only when the lines show none of these.

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
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

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
        raise _yaml_error(error, text, source) from None
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


def _yaml_error(error: YAMLError, text: str, source: str) -> FlowValidationError:
    if isinstance(error, ReaderError):
        line = text.count("\n", 0, error.position) + 1
        return _fatal(
            source,
            line,
            f"the file contains a character that YAML does not allow ({_codepoint(error)})",
            "remove control characters; save the file as plain UTF-8 text",
        )
    if isinstance(error, MarkedYAMLError):
        explained = _explained(error, text.split("\n"))  # YAML counts lines by \n
        if explained is not None:
            return _fatal(source, *explained)
        mark = error.problem_mark or error.context_mark
        if "end of stream" in (error.problem or "") and error.context_mark is not None:
            mark = error.context_mark  # an unclosed quote or bracket: where it opened
        parts = [part for part in (error.context, error.problem) if part]
        message = "malformed YAML: " + (", ".join(parts) or "cannot be read")
        return _fatal(source, _line(mark), message, _yaml_hint(error.problem or ""))
    return _fatal(source, None, f"malformed YAML: {error}", None)


# A text may not start with these unquoted (`{` and `[` start a list or mapping).
_SIGNS = "&*!|>'\"%@`"
_QUOTES = "'\""
# `key: ` at a line's start (after `- ` for an item) or in `{...}` after `{` or `,`.
_KEY = re.compile(r"(?:^[ ]*(?:-[ ]+)?|[{,][ ]*)([\w-]+):[ \t]+")
_NEXT_KEY = re.compile(r",[ ]*[\w-]+:[ \t]")
_ALIAS = re.compile(r"\*[\w-]+")
_ITEM_START = re.compile(r"[ ]*(?:-[ ]+)?")  # where the keys of a line's mapping start
_Explained = tuple[int, str, str]  # line, message, hint


def _explained(error: MarkedYAMLError, lines: list[str]) -> _Explained | None:
    """The mistake behind a YAML error, told from the lines it points at, with
    the rule the README states; None when the lines do not show it."""
    marks = [mark for mark in (error.problem_mark, error.context_mark) if mark is not None]
    if not marks or "end of stream" in (error.problem or ""):
        return None  # an unclosed quote or bracket: where it opened is all we know
    at = [(mark.line, mark.column) for mark in marks if 0 <= mark.line < len(lines)]
    # A non-breaking space or a tab indenting a line can be blamed on the next one.
    for number in sorted({line for line, _ in at} | {line - 1 for line, _ in at if line}):
        found = _odd_indentation(number, lines[number].rstrip("\r"))
        if found is not None:
            return found
    for number in sorted({line for line, _ in at} | {line - 1 for line, _ in at if line}):
        found = _unclosed(number, lines[number].rstrip("\r"))
        if found is not None:
            return found
    for number, column in at:
        found = _text_mistake(number, lines[number].rstrip("\r"), column)
        if found is not None:
            return found
    for number, _ in at:
        found = _misaligned(number, lines)
        if found is not None:
            return found
    return None


def _odd_indentation(number: int, line: str) -> _Explained | None:
    indentation = line[: len(line) - len(line.lstrip())]
    odd = next((character for character in indentation if character != " "), None)
    if odd is None:
        return None
    if odd == "\t":
        return number + 1, "this line is indented with a tab", "indent with spaces, never tabs"
    return (
        number + 1,
        f"this line starts with {invisible_name(odd)}, which does not count as indentation",
        "delete it and indent with ordinary spaces",
    )


def _text_mistake(number: int, line: str, column: int) -> _Explained | None:
    """A text written unquoted where YAML reads signs in it: starting with one of
    `& * ! | > ' " % @`, or holding ': '."""
    entry = _entry(line, column)
    if entry is None:
        return None
    key, text = entry
    if text[:1] in _QUOTES and _closes(text):
        return None  # well quoted: the mistake is elsewhere
    if _ALIAS.fullmatch(text):
        return None  # a real alias (*name)
    fix = f"put the whole text in quotes: {key}: {_quoted(text)}"
    if text[:1] in _SIGNS:
        shown = "a quote" if text[0] in _QUOTES else f"'{text[0]}'"
        return (
            number + 1,
            f"this text starts with {shown}, and a text starting with"
            " { [ & * ! | > ' \" % @ must be in quotes",
            fix,
        )
    if re.search(r":\s", text):
        return number + 1, "this text contains ': ', so it must be in quotes", fix
    return None


def _unclosed(number: int, line: str) -> _Explained | None:
    entry = _entry(line, len(line))
    if entry is None or entry[1][:1] not in _QUOTES or entry[1].find(entry[1][0], 1) >= 0:
        return None
    key, text = entry
    return (
        number + 1,
        f"the quote {text[0]} that opens this text is never closed",
        f"end the text with {text[0]}: {key}: {text}{text[0]}",
    )


def _entry(line: str, column: int) -> tuple[str, str] | None:
    """The key and the text written on `line` around `column`."""
    found = [match for match in _KEY.finditer(line) if match.end() <= column + 1]
    if not found:
        return None
    match = found[-1]
    text = line[match.end() :]
    if match.group(0)[:1] in "{,":  # inside {...}: up to the next key or the brace
        following = _NEXT_KEY.search(text)
        text = text[: following.start()] if following else text.rstrip().rstrip("}")
    else:
        text = re.sub(r"[ \t]+#.*$", "", text)
    text = text.strip()
    return (match.group(1), text) if text else None


def _closes(text: str) -> bool:
    """`text` is one quoted text, closed at its end and not before."""
    quote, inner = text[0], text[1:-1]
    if len(text) < 2 or text[-1] != quote:
        return False
    return quote not in inner.replace("\\" + quote, "").replace(quote * 2, "")


def _quoted(text: str) -> str:
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace('"', '\\"') + '"'


def _misaligned(number: int, lines: list[str]) -> _Explained | None:
    """A `key:` line not lined up with the keys above it."""
    line = lines[number].rstrip("\r")
    if not re.match(r"^[ ]*(?:-[ ]+)?[\w-]+:(?:\s|$)", line):
        return None
    indent = len(line) - len(line.lstrip(" "))
    for above in range(number - 1, -1, -1):
        text = lines[above].rstrip("\r")
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        if len(text) - len(text.lstrip(" ")) <= indent:
            break
    else:
        return None
    if text.rstrip().endswith((":", "|", ">", "-")):
        return None  # the first key of a block opened above
    start = _ITEM_START.match(text)
    keys = start.end() if start else 0
    if keys == indent:
        return None  # the next key of the item above
    where = "the line above it" if above == number - 1 else f"line {above + 1}"
    key = line.strip().removeprefix("- ").split(":")[0]
    other = text.strip().removeprefix("- ").split(":")[0]
    how = "more" if indent > keys else "less"
    return (
        number + 1,
        f"this line is indented {how} than {where} ({indent} spaces instead of {keys})",
        f"line its keys up: '{key}' under '{other}'",
    )


_NAMES = {
    "\u00a0": "a non-breaking space",
    "\u202f": "a narrow non-breaking space",
    "\u200b": "a zero-width space",
    "\ufeff": "an invisible character (a byte order mark)",
    "\t": "a tab",
}


def invisible(character: str) -> bool:
    """The character shows as a space, or not at all, without being an ordinary space."""
    return character != " " and (
        character.isspace() or unicodedata.category(character) in ("Cf", "Zs")
    )


def invisible_name(character: str) -> str:
    """How a message names a character that shows as a space or not at all."""
    return _NAMES.get(character, f"an invisible character (U+{ord(character):04X})")


def visible(text: str) -> str:
    """`text` for a message, its invisible characters named: 'text[non-breaking space]'."""
    return "".join(
        f"[{invisible_name(c).removeprefix('a ').removeprefix('an ')}]" if invisible(c) else c
        for c in text
    )


def _codepoint(error: ReaderError) -> str:
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
