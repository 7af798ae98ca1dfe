"""The one rule that picks a language, wherever the bot has to choose one.

`pick_language(offered, *hints)` returns the first hint that `offered` holds,
exactly ("fr-BE") or by its primary subtag ("fr-BE" -> "fr"), else the first
language offered. Every choice goes through it, each caller saying what it
offers and which hints it has, most specific first:

- a conversation: the flow's languages; the resident's own (chosen, or given by
  their platform, or guessed from a first message's greeting or words), then
  the deployment's `default_language` (`Flow.language_for`);
- a text of the catalogue (`flows.catalogue`): the catalogue's languages, the
  fallback language `en` first; the conversation's language, then, in the
  channels, the deployment's `default_language`;
- the web chat page: the consultation's languages that the catalogue has; the
  page's `?lang=`, then the deployment's `default_language`.
"""

from __future__ import annotations

from collections.abc import Sequence


def pick_language(offered: Sequence[str], *hints: str | None) -> str:
    """The first hint ("fr", "en-GB") that `offered` holds, else `offered[0]`."""
    for hint in hints:
        found = offered_language(offered, hint)
        if found is not None:
            return found
    return offered[0]


def offered_language(offered: Sequence[str], hint: str | None) -> str | None:
    """`hint` if `offered` holds it, exactly or by its primary subtag; else None."""
    if not hint:
        return None
    if hint in offered:  # most often: a code the flow offers
        return hint
    base = hint.split("-")[0].lower()
    return base if base in offered else None
