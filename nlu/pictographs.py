"""Emoji read as words: 🚗 is "voiture" in French and "automobile" in English,
🚲 "vélo"/"bicycle", 🚶 "personne qui marche"/"person walking" -- the names the
`emoji` package gives each emoji in each language (bundled with it: nothing is
downloaded). Option matching then meets them like any other word, so 🚗🚆 picks
Voiture and Train.
"""

from __future__ import annotations

import emoji

# Below this code point there are letters, accents and punctuation, no emoji:
# most messages skip the look-up entirely.
_FIRST_SYMBOL = 0x2190
_KEYCAP = "\u20e3"
_VARIATION = "\ufe0f"


def with_emoji_names(text: str, lang: str) -> str:
    """`text` with each emoji replaced by its name in `lang` (words between spaces)."""
    if all(ord(c) < _FIRST_SYMBOL for c in text):
        return text
    text = text.replace(_KEYCAP, "").replace(_VARIATION, "")  # "2️⃣" is the digit 2
    if all(ord(c) < _FIRST_SYMBOL for c in text):
        return text
    named = emoji.demojize(text, language="fr" if lang == "fr" else "en", delimiters=(" ", " "))
    return named.replace("_", " ")
