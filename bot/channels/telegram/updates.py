"""What an update says, read off python-telegram-bot's objects: whose chat it
is, what a message says (its text, else a photo's, video's or file's caption),
the command it opens with, the kind of a message that is not text, the keyboard
under a message."""

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


def words_of(message: Message) -> str | None:
    """What the resident wrote: the text, else the caption of what they sent
    (a photo of a bus stop captioned with their answer); None for neither."""
    return message.text if message.text is not None else message.caption


def command_of(message: Message) -> tuple[str | None, str]:
    """("start", "mobilite") for "/start mobilite", (None, "") for plain text."""
    text = words_of(message) or ""
    entities = message.entities if message.text is not None else message.caption_entities
    for entity in entities:
        if entity.type == "bot_command" and entity.offset == 0:
            name = text[1 : entity.length].split("@")[0].lower()
            return name, text[entity.length :].strip()
    return None, ""


def content_kind(message: Message) -> str:
    for kind in ("photo", "voice", "sticker", "location", "contact", "video", "document"):
        if getattr(message, kind, None):
            return kind
    return "non-text"
