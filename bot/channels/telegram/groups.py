"""Group chats and channels: the bot leaves them.

A consultation is answered in a private chat: in a group, every member would
read a resident's answers (their postal code, their opinion), and the bot's
questions would go to nobody in particular. So when someone adds the bot to a
group or a supergroup, it says once there that it only answers in private, with
a link that opens a private chat with it (`t.me/<its username>?start`; without
the link when the username is unknown), in the language of whoever added it,
else in the deployment's default language and English, and leaves. Added to a
channel it leaves without a word: a post there would reach every subscriber. A
group message that still reaches it (a bot added before this rule) makes it
leave too, silently. Nothing of the group, nor of its messages, is handed to
the conversation service or kept. Operators can also keep it from being added
at all (@BotFather, /setjoingroups).
"""

from __future__ import annotations

import logging

from telegram import Bot, Chat, ChatMember, ChatMemberUpdated

from bot.channels.telegram.sending import Blocked, DeliveryFailed, RetryPolicy, call_api
from flows.catalogue import CATALOGUE, FALLBACK

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


async def tell_and_leave(
    bot: Bot, change: ChatMemberUpdated, policy: RetryPolicy, default_language: str
) -> None:
    """Say in the chat the bot was added to that it answers in private (not in a
    channel), then leave it. Never raises: a group that could not be told is
    left all the same."""
    chat = change.chat
    if chat.type != Chat.CHANNEL:
        hint = CATALOGUE.language_tagged(change.from_user.language_code)
        # No hint: the deployment's language and English, which most read.
        languages = (hint,) if hint else tuple(dict.fromkeys((default_language, FALLBACK)))
        text = private_only(_username(bot), languages)
        try:
            await call_api("sendMessage", lambda: bot.send_message(chat.id, text), policy)
        except (Blocked, DeliveryFailed) as error:  # may not post there, or Telegram is down
            log.info("telegram: could not tell a %s chat why it is left (%s)", chat.type, error)
    await leave(bot, chat, policy)


def private_only(username: str | None, languages: tuple[str, ...]) -> str:
    """That the bot answers in private, with a link to its private chat when its
    username is known, in each of `languages` (a paragraph each)."""
    key, values = (
        ("private_only", {})
        if username is None
        else ("private_only_link", {"link": f"https://t.me/{username}?start"})
    )
    return "\n\n".join(CATALOGUE.text("telegram", key, lang, **values) for lang in languages)


def _username(bot: Bot) -> str | None:
    try:
        return bot.username or None
    except RuntimeError:  # getMe not answered yet: the bot does not know its name
        return None
