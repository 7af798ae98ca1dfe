"""What an update says, read off python-telegram-bot's objects: whose chat it
is, the command a message opens with, the kind of a message that is not text,
the keyboard under a message."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update


def chat_id_of(update: Update) -> int | None:
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.callback_query is not None:  # the keyboard's message is too old to see
        return update.callback_query.from_user.id
    return None


def markup_of(message: Message | None) -> InlineKeyboardMarkup | None:
    return message.reply_markup if message is not None else None


def command_of(message: Message) -> tuple[str | None, str]:
    """("start", "mobilite") for "/start mobilite", (None, "") for plain text."""
    text = message.text or ""
    for entity in message.entities:
        if entity.type == "bot_command" and entity.offset == 0:
            name = text[1 : entity.length].split("@")[0].lower()
            return name, text[entity.length :].strip()
    return None, ""


def content_kind(message: Message) -> str:
    for kind in ("photo", "voice", "sticker", "location", "contact", "video", "document"):
        if getattr(message, kind, None):
            return kind
    return "non-text"
