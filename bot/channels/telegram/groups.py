"""Group chats and channels: the bot leaves them.

A consultation is answered in a private chat: in a group, every member would
read a resident's answers (their postal code, their opinion), and the bot's
questions would go to nobody in particular. So when someone adds the bot to a
group, a supergroup or a channel, it leaves at once (Telegram shows "the bot
left the group", which says plainly that it does not work there), and a group
message that still reaches it (a bot added before this rule) makes it leave
too. Nothing of the group, nor of its messages, is handed to the conversation
service or kept. Operators can also keep it from being added at all
(@BotFather, /setjoingroups).
"""

from __future__ import annotations

import logging

from telegram import Bot, Chat, ChatMember, ChatMemberUpdated

from bot.channels.telegram.sending import Blocked, DeliveryFailed, RetryPolicy, call_api

log = logging.getLogger(__name__)

# What the bot is in a chat once someone added it (a member, or an admin of a
# group or a channel); any other status means it is out already.
_PRESENT = frozenset({ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.RESTRICTED})


def added(change: ChatMemberUpdated) -> bool:
    """Whether this change of the bot's own membership puts it in the chat."""
    return change.new_chat_member.status in _PRESENT


async def leave(bot: Bot, chat: Chat, policy: RetryPolicy) -> None:
    """Leave `chat`. Never raises: a group the bot could not leave now is left
    on its next message there."""
    log.info("telegram: in a %s chat; leaving it (residents answer in private)", chat.type)
    try:
        await call_api("leaveChat", lambda: bot.leave_chat(chat.id), policy)
    except (Blocked, DeliveryFailed) as error:  # already removed, or Telegram is down
        log.info("telegram: could not leave a %s chat now (%s)", chat.type, error)
