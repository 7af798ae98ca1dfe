"""The lines around a YAML error, as `flows.yaml_mistakes` reads them: the line
with words above another, a line's indentation and its item dash, and a fix
tried by reading the file again with it (events only: nothing is built)."""

from __future__ import annotations

import re

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

Explained = tuple[int, str, str]  # line, message, hint
ITEM_START = re.compile(r"[ ]*(?:-[ ]+)?")  # where the keys of a line's mapping start


def content_above(number: int, lines: list[str]) -> int | None:
    """The nearest line above `number` with more than spaces and a comment."""
    for above in range(min(number, len(lines)) - 1, -1, -1):
        if lines[above].strip() and not lines[above].lstrip().startswith("#"):
            return above
    return None


def reads_past(lines: list[str], number: int, *fixed: str) -> bool:
    """With the lines from `number` written `fixed`, YAML reads the file past
    them (to its end, or to another mistake further down): the fix is the right one."""
    text = "\n".join([*lines[:number], *fixed, *lines[number + len(fixed) :]])
    try:
        for _ in YAML(typ="safe", pure=True).parse(text):
            pass  # events only: nothing is built, so no alias can blow up
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        return mark is not None and mark.line > number + len(fixed)
    except YAMLError:
        return False
    return True


def without_comment(line: str) -> str:
    return re.sub(r"[ \t]+#.*$", "", line.rstrip("\r"))


def is_item(line: str) -> bool:
    return re.match(r"[ ]*-[ ]", line) is not None


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))
