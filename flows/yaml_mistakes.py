"""A YAML error in a flow file, told from the lines it points at, in the
README's words: a text to put in quotes (it starts with `*`, `@`, a quote...,
or holds ': '), a quote or a bracket never closed, a key without its ':', a
second document; a mistake of indentation (`flows.yaml_indentation`). The fix
is written out when reading the file again with it shows it is the fix
(`flows.yaml_lines`); the parser's own words only when the lines show none of these.
"""

from __future__ import annotations

import re

from pydantic import BaseModel
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from flows.errors import FlowProblem
from flows.schema import (
    QUESTION_MODELS,
    STEP_MODELS,
    ChoiceDoc,
    DecidimExportDoc,
    DecidimMappingDoc,
    ExportDoc,
    FlowDoc,
)
from flows.yaml_indentation import item_not_lined_up, misaligned, odd_indentation
from flows.yaml_lines import Explained, content_above, reads_past, without_comment


def yaml_problem(error: YAMLError, text: str, source: str) -> FlowProblem:
    """The problem behind a YAML error, in words an organizer can act on."""
    if isinstance(error, ReaderError):
        return FlowProblem(
            source,
            text.count("\n", 0, error.position) + 1,
            None,
            f"the file contains a character that YAML does not allow ({_codepoint(error)})",
            "remove control characters; save the file as plain UTF-8 text",
        )
    if isinstance(error, MarkedYAMLError):
        explained = _explained(error, text.split("\n"))  # YAML counts lines by \n
        if explained is not None:
            return FlowProblem(source, explained[0], None, *explained[1:])
        mark = error.problem_mark or error.context_mark
        if "end of stream" in (error.problem or "") and error.context_mark is not None:
            mark = error.context_mark  # an unclosed quote or bracket: where it opened
        parts = [part for part in (error.context, error.problem) if part]
        message = "malformed YAML: " + (", ".join(parts) or "cannot be read")
        at = mark.line + 1 if mark is not None else None
        return FlowProblem(source, at, None, message, _yaml_hint(error.problem or ""))
    return FlowProblem(source, None, None, f"malformed YAML: {error}", None)


# A text may not start with these unquoted (`{` and `[` start a list or mapping).
_SIGNS = "&*!|>'\"%@`"
_QUOTES = "'\""
# `key: ` at a line's start (after `- ` for an item) or in `{...}` after `{` or `,`.
_KEY = re.compile(r"(?:^[ ]*(?:-[ ]+)?|[{,][ ]*)([\w-]+):[ \t]+")
_NEXT_KEY = re.compile(r",[ ]*[\w-]+:[ \t]")
_ALIAS = re.compile(r"\*[\w-]+")
ITEM_START = re.compile(r"[ ]*(?:-[ ]+)?")  # where the keys of a line's mapping start


def _explained(error: MarkedYAMLError, lines: list[str]) -> Explained | None:
    """The mistake behind a YAML error, told from the lines it points at, with
    the rule the README states; None when the lines do not show it."""
    marks = [mark for mark in (error.problem_mark, error.context_mark) if mark is not None]
    if "another document" in (error.problem or ""):
        return _second_document(error, lines)
    if "flow" in (error.context or ""):  # while parsing a flow mapping / sequence
        found = _unclosed_bracket(error, lines)
        if found is not None:
            return found
    if "quoted scalar" in (error.context or "") and "end of stream" in (error.problem or ""):
        return _quote_to_the_end(error, lines)
    if not marks:
        return None
    at = [(mark.line, mark.column) for mark in marks if 0 <= mark.line < len(lines)]
    # A non-breaking space or a tab indenting a line can be blamed on the next one.
    for number in sorted({line for line, _ in at} | {line - 1 for line, _ in at if line}):
        found = odd_indentation(number, lines[number].rstrip("\r"))
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
    for number in _around(error, lines):
        found = _missing_colon(number, lines)
        if found is not None:
            return found
    for number, _ in at:
        found = misaligned(number, lines) or item_not_lined_up(number, lines)
        if found is not None:
            return found
    return None


def _around(error: MarkedYAMLError, lines: list[str]) -> list[int]:
    """The lines a mistake may be on: where the parser started what it could not
    finish, where it stopped, and the line with words before that."""
    numbers = [mark.line for mark in (error.context_mark, error.problem_mark) if mark is not None]
    if error.problem_mark is not None:
        above = content_above(error.problem_mark.line, lines)
        if above is not None:
            numbers.insert(len(numbers) - 1, above)
    return [number for number in dict.fromkeys(numbers) if 0 <= number < len(lines)]


def _missing_colon(number: int, lines: list[str]) -> Explained | None:
    """A key written without its ':' (`id q1`, `text` above its `fr:` line): YAML
    reads the line as a text, then stumbles on the next key."""
    line = re.sub(r"[ \t]+#.*$", "", lines[number].rstrip("\r"))
    bare = _BARE_KEY.fullmatch(line)
    if bare is None or not _could_be_a_key(bare["key"]):
        return None
    rest = f" {bare['rest']}" if bare["rest"] else ""
    fixed = f"{bare['lead']}{bare['key']}:{rest}"
    if not reads_past(lines, number, fixed):
        return None  # a text that happens to start with a key's name
    return (
        number + 1,
        f"there is no ':' after '{bare['key']}'",
        f"add ':' after '{bare['key']}': {fixed.strip()}",
    )


_BARE_KEY = re.compile(
    r"(?P<lead>[ ]*(?:-[ ]+)?)(?P<key>[A-Za-z_][\w-]*)(?:[ \t]+(?P<rest>[^:\s].*?))?[ \t]*"
)


def _could_be_a_key(word: str) -> bool:
    """A key of the flow format, or a language code (the keys of a text)."""
    return word in _FORMAT_KEYS or re.fullmatch(r"[a-z]{2}", word) is not None


def _format_keys() -> frozenset[str]:
    every: list[type[BaseModel]] = [FlowDoc, ChoiceDoc, ExportDoc, DecidimExportDoc]
    every += [DecidimMappingDoc, *QUESTION_MODELS.values(), *STEP_MODELS.values()]
    return frozenset(name for model in every for name in model.model_fields)


_FORMAT_KEYS = _format_keys()


def _second_document(error: MarkedYAMLError, lines: list[str]) -> Explained | None:
    """A `---` line below the flow: YAML starts a second document there."""
    mark = error.problem_mark
    if mark is None or mark.line >= len(lines) or not lines[mark.line].startswith("---"):
        return None
    return (
        mark.line + 1,
        "this '---' line starts a second document, and a flow file holds one flow",
        "delete the line (another consultation goes in a file of its own)",
    )


_CLOSER = {"{": "}", "[": "]"}
_Bracket = tuple[int, int, str]  # line, column, '{' or '['
# Where a `{...}` or `[...]` written as a key's value (or an item) starts.
_FLOW_START = re.compile(r"[ ]*(?:-[ ]+)?(?:[\w-]+:[ ]+)?(?=[\[{])")


def _unclosed_bracket(error: MarkedYAMLError, lines: list[str]) -> Explained | None:
    """A `{` or `[` never closed: YAML reads on into the next line, or to the
    other bracket (`[TER, RER}`)."""
    context, problem = error.context_mark, error.problem_mark
    if context is None or problem is None or context.line >= len(lines):
        return None
    start = _FLOW_START.match(lines[context.line])
    column = start.end() if start and start.end() <= context.column else context.column
    if _stray(problem.line, problem.column, lines):  # `[TER, RER}`: close '[' before '}'
        number, at = problem.line, problem.column
    else:  # YAML read on past the line's end: close what is open there
        found = content_above(problem.line, lines)
        if found is None or found < context.line:
            return None
        number, at = found, len(without_comment(lines[found]))
    opened = _open_brackets(lines, (context.line, column), (number, at))
    if not opened:
        return None
    line = lines[number].rstrip("\r")
    stray = _stray(number, at, lines)
    if stray:
        opened = opened[-1:]
    closing = "".join(_CLOSER[bracket] for *_, bracket in reversed(opened))
    fixed = line[:at].rstrip() + closing + line[at:]
    if not reads_past(lines, number, fixed):
        return None
    where = f"before the '{stray}'" if stray else "at the end of the line"
    return number + 1, _never_closed(opened, number), f"add '{closing}' {where}: {fixed.strip()}"


def _stray(number: int, column: int, lines: list[str]) -> str:
    """The closing bracket at (`number`, `column`), or ''."""
    found = lines[number][column : column + 1] if number < len(lines) else ""
    return found if found in ("}", "]") else ""


def _never_closed(opened: list[_Bracket], number: int) -> str:
    named = [
        f"the '{bracket}' "
        + (f"at column {column + 1}" if line == number else f"on line {line + 1}")
        for line, column, bracket in opened
    ]
    return " and ".join(named) + (" is" if len(named) == 1 else " are") + " never closed"


def _open_brackets(
    lines: list[str], start: tuple[int, int], end: tuple[int, int]
) -> list[_Bracket]:
    """The brackets still open at `end`, reading from `start` (line, column): a
    bracket inside a quoted text or a comment does not count."""
    opened: list[_Bracket] = []
    for number in range(start[0], end[0] + 1):
        line = without_comment(lines[number])
        first = start[1] if number == start[0] else 0
        last = end[1] if number == end[0] else len(line)
        quote, previous = None, "{"
        for column in range(first, min(last, len(line))):
            character = line[column]
            if quote is not None:
                quote = None if character == quote else quote
            elif character in _QUOTES and previous in "{[,:":
                quote = character  # a quoted text starts; an apostrophe inside a word does not
            elif character in _CLOSER:
                opened.append((number, column, character))
            elif opened and character == _CLOSER[opened[-1][2]]:
                opened.pop()
            if not character.isspace():
                previous = character
    return opened


def _text_mistake(number: int, line: str, column: int) -> Explained | None:
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
    if text[:1] == "'":
        found = _apostrophe(number, key, text)
        if found is not None:
            return found
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


def _apostrophe(number: int, key: str, text: str) -> Explained | None:
    """`'Qu'en pensez-vous ?'`: the apostrophe of a French word ends the text
    that the ' opens, and YAML cannot read what follows."""
    inside = re.search(r"\w'\w", text[1:])
    if inside is None:
        return None
    words = text[1:].split()
    word = next(w for w in words if "'" in w.strip("'"))
    whole = text[1:-1] if text.endswith("'") else text[1:]
    if '"' in whole:
        fix = f"write the apostrophe twice: {key}: '{whole.replace(chr(39), chr(39) * 2)}'"
    else:
        fix = f'put the text in double quotes instead: {key}: "{whole}"'
    return number + 1, f"the apostrophe in {word.strip(chr(39))} ends the text that ' opens", fix


def _quote_to_the_end(error: MarkedYAMLError, lines: list[str]) -> Explained | None:
    """A quote never closed, and no other quote below: the text runs to the end
    of the file. Closed at the end of its line, if the file then reads."""
    mark = error.context_mark
    if mark is None or mark.line >= len(lines):
        return None
    line = lines[mark.line].rstrip()
    quote = line[mark.column : mark.column + 1]
    if quote not in _QUOTES:
        return None
    fixed = line + quote
    where = f": {fixed.strip()}" if reads_past(lines, mark.line, fixed) else " where it ends"
    return (
        mark.line + 1,
        f"the quote {quote} that opens this text is never closed,"
        " so the rest of the file is read as part of the text",
        f"end the text with {quote}{where}",
    )


def _unclosed(number: int, line: str) -> Explained | None:
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
    if "mapping values are not allowed" in problem:
        return "a text containing ': ' must be quoted, e.g. text: \"Note: ...\""
    if "found undefined alias" in problem:
        return "an alias *name needs an anchor &name earlier in the file"
    return "check the indentation and the quotes on this line and the one before"
