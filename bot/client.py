"""A channel-free client of the full conversation service, for tests,
benchmarks and scripts: send a message as a participant, get the replies.

It goes through exactly what a channel calls (`ConversationService.handle`),
with a message id per message as a platform would give.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

from bot.channel_contract import Conversations, InboundMessage
from flows.replies import Reply


class Client:
    def __init__(
        self,
        conversations: Conversations,
        *,
        channel: str = "client",
        now: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._conversations = conversations
        self._channel = channel
        self._now = now or (lambda: dt.datetime.now(dt.UTC))
        self._ids = itertools.count(1)

    async def send(
        self,
        user_id: str,
        text: str,
        *,
        consultation_id: str | None = None,
        language: str | None = None,
        message_id: str | None = None,
        source: str | None = None,
    ) -> list[Reply]:
        message = InboundMessage(
            channel=self._channel,
            user_id=user_id,
            text=text,
            message_id=message_id or f"m{next(self._ids)}",
            received_at=self._now(),
            consultation_id=consultation_id,
            language=language,
            source=source,
        )
        return list(await self._conversations.handle(message))

    async def converse(self, user_id: str, *texts: str, **options: str) -> list[list[Reply]]:
        """Send several messages in turn, each after the replies to the last."""
        return [await self.send(user_id, text, **options) for text in texts]
