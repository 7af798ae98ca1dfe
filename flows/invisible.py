"""Characters that show as a space, or not at all, without being an ordinary
space: a word processor's non-breaking space before ':' in French, a zero-width
space pasted from a web page, a byte order mark. A message names them, since the
organizer cannot see what is wrong."""

from __future__ import annotations

import unicodedata

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
