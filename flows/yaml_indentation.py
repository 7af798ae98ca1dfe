"""Indentation mistakes behind a YAML error: a tab or an invisible space in the
indentation, a key not lined up with the keys above it, an item whose '-' is
not under the others'."""

from __future__ import annotations

import re

from flows.invisible import invisible_name
from flows.yaml_lines import (
    ITEM_START,
    Explained,
    content_above,
    indent_of,
    is_item,
    reads_past,
)


def odd_indentation(number: int, line: str) -> Explained | None:
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


def misaligned(number: int, lines: list[str]) -> Explained | None:
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
    start = ITEM_START.match(text)
    keys = start.end() if start else 0
    if is_item(line) and is_item(text):
        keys = indent_of(text)  # an item lines its '-' up under the one above
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


def item_not_lined_up(number: int, lines: list[str]) -> Explained | None:
    """An item of a list (`- id: bike`) whose '-' is not under the '-' of the
    item above: YAML reads it as the value of a key, or as another list. The
    item out of line may be the one above (the first of the list, say)."""
    if not is_item(lines[number]):
        return None
    indent = indent_of(lines[number])
    above = content_above(number, lines)
    while above is not None and not (is_item(lines[above]) and indent_of(lines[above]) != indent):
        if indent_of(lines[above]) < indent or is_item(lines[above]):
            return None  # the key of this list, or an item lined up with this one
        above = content_above(above, lines)
    if above is None:
        return None
    for odd, right in ((above, number), (number, above)):
        wrong, target = indent_of(lines[odd]), indent_of(lines[right])
        if reads_past(lines, odd, *_shifted(_item_lines(odd, lines), target - wrong)):
            return (
                odd + 1,
                f"this item is indented {'more' if wrong > target else 'less'} than the one"
                f" on line {right + 1} ({wrong} spaces instead of {target})",
                f"line its '-' up under the '-' of line {right + 1}, and the lines under it"
                " with it",
            )
    return None


def _item_lines(number: int, lines: list[str]) -> list[str]:
    """An item's line and the lines under it, indented more, up to the next item
    of a list it is not the key of."""
    block = [lines[number]]
    keys = ITEM_START.match(lines[number])
    for following in lines[number + 1 :]:
        if following.strip() and indent_of(following) <= indent_of(lines[number]):
            break
        opens = block[-1].rstrip().endswith(":")
        if is_item(following) and keys and indent_of(following) <= keys.end() and not opens:
            break
        block.append(following)
    return block


def _shifted(block: list[str], by: int) -> list[str]:
    """`block` indented `by` spaces more (fewer, if negative)."""
    if by >= 0:
        return [" " * by + text if text.strip() else text for text in block]
    return [text[-by:] if text.strip() else text for text in block]
