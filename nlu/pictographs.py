"""Emoji read as words: 🚗 is "voiture" in French and "automobile" in English,
🚲 "vélo"/"bicycle", 🚶 "personne qui marche"/"person walking" -- the names the
`emoji` package gives each emoji in each language (bundled with it: nothing is
downloaded). Option matching then meets them like any other word, so 🚗🚆 picks
Voiture and Train.

The names are read once into a table; a message then costs one dictionary
look-up per symbol of its parsed part (joined sequences such as 👨‍👩‍👧 and flags
are read one symbol at a time).
"""

from __future__ import annotations

from collections.abc import Iterable

import emoji

from nlu.normalize import MAX_PARSED_CHARS

# Below this code point there are letters, accents and punctuation, no emoji:
# most messages skip the look-up entirely.
_FIRST_SYMBOL = 0x2190
_JOINERS = str.maketrans({"\u20e3": None, "\ufe0f": None, "\u200d": " "})  # "2️⃣" is 2


class EmojiNames:
    """The names of single-symbol emoji in each language."""

    def __init__(self, languages: Iterable[str]) -> None:
        self._names: dict[str, dict[str, str]] = {}
        for lang in languages:
            emoji.config.load_language(lang)
            self._names[lang] = {
                symbol: f" {data[lang].strip(':').replace('_', ' ')} "
                for symbol, data in emoji.EMOJI_DATA.items()
                if len(symbol) == 1 and lang in data
            }

    def spelt_out(self, text: str, lang: str) -> str:
        """`text` with each emoji replaced by its name in `lang`."""
        if all(ord(c) < _FIRST_SYMBOL for c in text):
            return text
        names = self._names.get(lang) or self._names.get("en", {})
        clipped = text[:MAX_PARSED_CHARS].translate(_JOINERS)
        return "".join(names.get(c, c) if ord(c) >= _FIRST_SYMBOL else c for c in clipped)

    def names_only(self, text: str, lang: str) -> str:
        """The names in `lang` of the emoji in `text`, each once, and nothing else."""
        if all(ord(c) < _FIRST_SYMBOL for c in text):
            return ""
        names = self._names.get(lang) or self._names.get("en", {})
        clipped = text[:MAX_PARSED_CHARS].translate(_JOINERS)
        found = (names.get(c) for c in clipped if ord(c) >= _FIRST_SYMBOL)
        return " ".join(dict.fromkeys(name for name in found if name is not None))
