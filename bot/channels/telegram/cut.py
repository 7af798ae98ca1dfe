"""Long texts a Telegram app cut in parts.

Telegram takes at most 4,096 characters in one message, so an app sends a
longer text (a proposal pasted from a document) as several messages, one right
after the other. Handled one by one, the first part is the answer (or refused
as too long: "2000 characters at most"), and the next part would then be taken
as the answer to the question asked again, or to the next one: a fragment
stored as the resident's proposal, or as their postal code refused.

So a text message that follows a long one (past `LONG_UNITS`) within
`WITHIN` is read as its continuation and dropped: nobody types another message
two seconds after writing three thousand characters. The resident sees the
first part's reply once (the question asked again, with the length it takes).
The times compared are Telegram's (`Message.date`), not the clock.

In memory, per process (with webhooks on several processes a continuation
handled by another one is read as a message, as before); forgotten oldest first.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from bot.channels.telegram.bounded import bound
from bot.channels.telegram.rendering import utf16_length

LONG_UNITS = 3000  # an app cuts near 4,096, at a line or a word before it
WITHIN = dt.timedelta(seconds=2)  # Telegram's dates are whole seconds


class CutTexts:
    def __init__(self) -> None:
        self._long: OrderedDict[int, dt.datetime] = OrderedDict()  # chat -> sent at

    def continues(self, chat_id: int, text: str, sent_at: dt.datetime) -> bool:
        """Whether this text message continues a long one just before it in the
        chat (then it is dropped); noted in turn when it is long itself."""
        previous = self._long.pop(chat_id, None)
        if utf16_length(text) >= LONG_UNITS:
            self._long[chat_id] = sent_at
            bound(self._long)
        return previous is not None and sent_at - previous <= WITHIN
