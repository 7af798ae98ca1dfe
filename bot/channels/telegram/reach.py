"""Whether the bot may write to a resident's chat.

A 403 from Telegram, or a my_chat_member update saying the bot was blocked,
marks the resident unreachable with the conversation service (`Reachability`)
and stops sends to their chat in this process, so a blocked resident causes
no retry storm. Writing again says we may write back (the service marks them
reachable with that message). Unblocking the bot (a my_chat_member update
back to "member") says so too, without a message: the service marks them
reachable at once (`Unblocking`) and hands over the team's messages that
waited for them, which go now rather than with their next message.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from bot.channels.telegram.offers import Reachability, Unblocking
from bot.channels.telegram.sending import Blocked
from flows.replies import Reply

log = logging.getLogger(__name__)


class Reach:
    """The chats the bot may not write to, kept in memory (lost on a restart:
    the first send to a still blocked chat finds out again)."""

    def __init__(self, channel: str, reachability: Reachability | None, service: object) -> None:
        self._channel = channel
        self._reachability = reachability
        self._unblocking = service if isinstance(service, Unblocking) else None
        self._blocked: set[int] = set()

    def refuses(self, chat_id: int) -> bool:
        return chat_id in self._blocked

    def wrote(self, chat_id: int) -> None:
        """The resident wrote to us: we may write back."""
        self._blocked.discard(chat_id)

    async def blocked(self, chat_id: int, user_id: int) -> None:
        self._blocked.add(chat_id)
        log.info("telegram: a resident blocked the bot; marked unreachable")
        if self._reachability is not None:
            try:
                await self._reachability.mark_unreachable(self._channel, str(user_id))
            except Exception as error:
                log.error("telegram: could not mark a resident unreachable: %s", error)

    async def unblocked(
        self, chat_id: int, user_id: int, send: Callable[[Reply], Awaitable[None]]
    ) -> None:
        """The resident unblocked the bot: what the team wrote meanwhile goes now.
        Never raises: a message not sent waits for their next one."""
        self._blocked.discard(chat_id)
        if self._unblocking is None:
            return
        now = dt.datetime.now(dt.UTC)
        try:
            await self._unblocking.mark_reachable(self._channel, str(user_id), now, send)
        except Blocked:  # blocked again meanwhile
            await self.blocked(chat_id, user_id)
        except Exception as error:  # Telegram or the database down: kept for later
            log.warning(
                "telegram: the team's messages to a resident who unblocked the bot wait "
                "for their next message (%s)",
                type(error).__name__,
            )
