"""The Telegram channel: a thin adapter between python-telegram-bot and
`bot.channel_contract.Conversations`.

Each update becomes at most one `InboundMessage` (channel "telegram", the user id
as text: the conversation service stores only its keyed hash); the replies come
back as Telegram messages with inline keyboards (see `rendering`).
The conversation state is the service's, not PTB's: no ConversationHandler, no
PTB persistence.

Reliability, since Telegram delivers at least once:
- an update id already processed is dropped; the service also drops a repeated
  message id (`m<chat>.<message>` for typed text, `k<chat>.<keyboard message>` for
  a button, so two taps on one keyboard are one answer);
- one chat's updates are processed one at a time, in arrival order, while chats
  run concurrently (a lock per chat, taken before the first await);
- sends retry on 429 and 5xx (`sending`); a 403 marks the resident
  unreachable through the service (`Reachability`) and stops sends to them until
  they write again or unblock the bot, when the team's messages that waited go
  (`reach`);
- replies still not sent after every retry (`DeliveryFailed`) leave the update
  unconfirmed: `process` raises, the poller does not confirm it and the webhook
  answers 502, so Telegram delivers it again and the service gives the replies
  it kept with the message's claim; meanwhile the chat's later updates wait
  (they raise too), so nobody answers a question they did not see. When
  polling, this process keeps them (`stalled`) until they are done, so none is
  lost when polling stops fetching them again; with webhooks the Bot API keeps
  the chat's later messages back itself (`stalled` says why that is enough);
- answerCallbackQuery (the button's spinner) failing never stops the replies;
- every callback query is answered; an answered keyboard is removed and the
  choice written under the question, so an old button cannot answer twice.

Privacy: nothing said in a group reaches the service; the bot leaves groups
(`groups`). Logs carry update ids and kinds, never texts or user ids. The chat id
needed to write first later is kept encrypted (`address`).

In memory only (lost on a restart, harmless): the update ids seen, the keyboards
answered (Telegram removed them anyway), multi-choice ticks not yet confirmed
(`ticks`: rebuilt from the keyboard Telegram sends back with each tap), the language chosen
with /langue before the resident enrolled (the platform's language hint applies
again). Once enrolled, the language they choose is kept with them by the service
(`KeptLanguage`): the channel's own texts are read in it, as the team's
messages and follow-ups are.

Modules: `bot` starts PTB's Application (used for its Bot and lifecycle)
in one of two modes: polling (a token and no `telegram.webhook_url`) through our
own getUpdates loop (`polling`, which confirms updates only once
processed), or webhook, where `webhook` adds a route to `consultbot serve`
that checks Telegram's secret header and processes each update before answering
2xx. `rendering` draws replies and signs buttons, `ticks` ticks the boxes of a
multiple choice (refusing one beyond its maximum), `sending` retries calls;
what the channel itself says is in the text catalogue (`flows.catalogue`,
sections `telegram` and `telegram_menu`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections import OrderedDict
from collections.abc import Sequence

from telegram import (
    Bot,
    CallbackQuery,
    ChatMember,
    InlineKeyboardMarkup,
    Message,
    Update,
)

from bot.channel_contract import ButtonOutdated, Conversations, InboundMessage
from bot.channels.telegram import groups
from bot.channels.telegram.address import ChatAddressCipher
from bot.channels.telegram.bounded import bound
from bot.channels.telegram.cut import CutTexts
from bot.channels.telegram.keyboards import Keyboards
from bot.channels.telegram.offers import KeptLanguage, LanguageChoice, Reachability
from bot.channels.telegram.reach import Reach
from bot.channels.telegram.rendering import (
    CallbackCodec,
    asked_again,
    button_title,
    confirmed_text,
    language_keyboard,
    reply_keyboard,
    shown_at,
    split_text,
)
from bot.channels.telegram.sending import (
    DEFAULT_POLICY,
    Blocked,
    DeliveryFailed,
    RetryPolicy,
    call_api,
)
from bot.channels.telegram.stalled import StalledChats
from bot.channels.telegram.ticks import SelectionLimits, Ticks, too_many
from bot.channels.telegram.updates import (
    chat_id_of,
    command_of,
    content_kind,
    markup_of,
    words_of,
)
from bot.errors import UserError
from bot.keys import Keys
from bot.participant_locks import ParticipantLocks
from bot.source_tags import split_start
from flows.catalogue import CATALOGUE
from flows.replies import Reply

log = logging.getLogger(__name__)

CHANNEL = "telegram"
# Sticky on Telegram's side (getUpdates and setWebhook remember the last list
# given): name every type we handle.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")
_DEEP_LINK = re.compile(r"[A-Za-z0-9_-]{1,64}")


class TelegramStartError(UserError):
    """The bot cannot start: bad token, unreachable Bot API, missing setting."""


class TelegramChannel:
    """Processes updates; `process` is what both polling and the webhook call."""

    def __init__(
        self,
        bot: Bot,
        conversations: Conversations,
        *,
        keys: Keys,
        reachability: Reachability | None = None,
        policy: RetryPolicy = DEFAULT_POLICY,
        addresses: ChatAddressCipher | None = None,
        default_language: str = "fr",
        holds: bool = True,
    ) -> None:
        self.bot = bot
        # Polling: a chat's updates after one whose replies were not delivered
        # wait here (`stalled`); webhook: the Bot API keeps them back itself.
        self.holds = holds
        self.default_language = default_language  # the channel's texts when no hint fits
        self.conversations = conversations
        self.reach = Reach(CHANNEL, reachability, conversations)  # blocked chats (`reach`)
        self.policy = policy
        self.codec = CallbackCodec(keys)
        self.addresses = addresses
        self._done: OrderedDict[int, None] = OrderedDict()
        self._locks = ParticipantLocks()
        self._answered: OrderedDict[tuple[int, int], None] = OrderedDict()
        limits = conversations if isinstance(conversations, SelectionLimits) else None
        self._ticks = Ticks(bot, self.codec, policy, limits, CHANNEL)
        self._keyboards = Keyboards(bot, policy)
        self._languages: OrderedDict[int, str] = OrderedDict()
        self._stalled = StalledChats()
        self._cut = CutTexts()  # long texts an app sent in parts (`cut`)

    def _address(self, chat_id: int) -> str | None:
        return None if self.addresses is None else self.addresses.encrypt(chat_id)

    async def process(self, update: Update) -> None:
        """Handle one update exactly once per process; never raises for anything
        a resident or Telegram can cause."""
        if update.update_id in self._done:
            log.info("telegram: update %s already processed, dropped", update.update_id)
            return
        chat_id = chat_id_of(update)
        if chat_id is None:
            log.info("telegram: update %s of an unhandled type ignored", update.update_id)
            self._remember(update.update_id)
            return
        async with self._locks.hold(str(chat_id)):
            if update.update_id in self._done:  # the same update delivered concurrently
                return
            if not self.holds:  # webhook: the Bot API holds the chat's next messages back
                await self._once(update, chat_id)
                return
            self._stalled.hold(chat_id, update)
            if not await self._stalled.catch_up(
                chat_id, lambda held: self._once(held, chat_id), update.update_id
            ):
                raise DeliveryFailed(f"update {update.update_id} waits for Telegram")

    async def _once(self, update: Update, chat_id: int) -> None:
        """Dispatch `update` and remember it done; `DeliveryFailed` (logged) when
        its replies were not delivered."""
        try:
            await self._dispatch(update, chat_id)
        except DeliveryFailed as error:
            log.warning(
                "telegram: update %s: replies not delivered (%s); left unconfirmed, "
                "its replies are sent when it comes again",
                update.update_id,
                error,
            )
            raise
        self._remember(update.update_id)

    async def retry_held(self) -> None:
        """Try the chats whose updates wait for Telegram again (the poller asks
        once Telegram takes replies again): a chat whose updates are no longer
        fetched gets its replies without writing again."""
        await asyncio.gather(*(self._retry(chat_id) for chat_id in self._stalled.chats()))

    async def _retry(self, chat_id: int) -> None:
        async with self._locks.hold(str(chat_id)):
            await self._stalled.catch_up(chat_id, lambda held: self._once(held, chat_id))

    @property
    def held(self) -> int:
        """How many updates wait for Telegram in this process."""
        return self._stalled.count()

    # --- dispatch ---------------------------------------------------------------

    async def _dispatch(self, update: Update, chat_id: int) -> None:
        user = update.effective_user
        if update.my_chat_member is not None:
            await self._on_membership(update, chat_id)
            return
        if user is None or user.is_bot:
            log.info("telegram: update %s without a human sender ignored", update.update_id)
            return
        self.reach.wrote(chat_id)
        language = self._languages.get(chat_id) or CATALOGUE.language_tagged(user.language_code)
        try:
            if update.callback_query is not None:
                await self._on_callback(update.callback_query, chat_id, language)
            elif update.edited_message is not None:
                if update.edited_message.chat.type != "private":  # as a new message there
                    log.info("telegram: edit in a %s chat ignored", update.edited_message.chat.type)
                    return
                await self._say(chat_id, user.id, "edited", language, own=True)
            elif update.message is not None:
                await self._on_message(update.message, chat_id, language)
            else:
                log.info("telegram: update %s of an unhandled type ignored", update.update_id)
        except Blocked:
            await self.reach.blocked(chat_id, user.id)

    async def _on_membership(self, update: Update, chat_id: int) -> None:
        change = update.my_chat_member
        assert change is not None  # checked by the caller
        if change.chat.type != "private":
            if groups.added(change):  # someone added the bot to a group (`groups`)
                await groups.tell_and_leave(self.bot, change, self.policy, self.default_language)
            return
        user_id = change.from_user.id
        if change.new_chat_member.status in (ChatMember.BANNED, ChatMember.LEFT):
            await self.reach.blocked(chat_id, user_id)
        else:  # unblocked: what the team wrote meanwhile goes now
            await self.reach.unblocked(
                chat_id, user_id, lambda reply: self._send_replies(chat_id, user_id, [reply])
            )

    async def _on_message(self, message: Message, chat_id: int, language: str | None) -> None:
        user = message.from_user
        if user is None:
            return
        if message.chat.type != "private":  # never handed to the service (`groups`)
            await groups.leave(self.bot, message.chat, self.policy)
            return
        text = words_of(message)  # a photo's caption is the resident's answer too
        if text is None:
            kind = content_kind(message)
            log.info("telegram: %s message %s answered 'text only'", kind, message.message_id)
            await self._say(chat_id, user.id, "text_only", language, own=True)
            return
        if self._cut.continues(chat_id, text, message.date):
            log.info("telegram: message %s continues a cut text; dropped", message.message_id)
            return
        consultation, source = None, None
        command, argument = command_of(message)
        if command in ("langue", "language", "lang"):
            chosen = CATALOGUE.language_named(argument)
            if chosen is not None:
                await self._switch_language(chat_id, user.id, chosen)
                return
            await self._send(
                chat_id,
                user.id,
                await self._words("choose_language", chat_id, user.id, language),
                language_keyboard(chat_id, self.codec, self.default_language),
            )
            return
        if command == "start":
            text = "/start"
            if _DEEP_LINK.fullmatch(argument):
                consultation, source = split_start(argument)
        inbound = InboundMessage(
            channel=CHANNEL,
            user_id=str(user.id),
            text=text,
            message_id=f"m{message.message_id}",  # per chat; never the chat id in clear
            received_at=message.date,
            consultation_id=consultation,
            language=language,
            address=self._address(chat_id),
            source=source,
        )
        replies = await self._handle(inbound, chat_id, language)
        if message.text is None and replies is not None:  # lest they think it kept
            log.info("telegram: the caption of message %s taken as text", message.message_id)
            await self._say(chat_id, user.id, "attachment_not_kept", language, own=True)
        await self._send_replies(chat_id, user.id, replies)

    async def _on_callback(self, query: CallbackQuery, chat_id: int, language: str | None) -> None:
        user_id = query.from_user.id
        data = query.data or ""
        decoded = self.codec.decode(chat_id, data)
        message = query.message if isinstance(query.message, Message) else None
        if decoded is None:
            log.info("telegram: callback data we did not issue (query %s) refused", query.id)
            await self._keyboards.answer(
                query, await self._words("stale_button", chat_id, user_id, language)
            )
            return
        if decoded.kind == "language":
            await self._keyboards.answer(query, None)
            await self._keyboards.mark_answered(message, button_title(markup_of(message), data))
            await self._switch_language(chat_id, user_id, decoded.payload)
            return
        key = (chat_id, message.message_id) if message is not None else None
        if key is not None and key in self._answered:
            await self._keyboards.answer(
                query, await self._words("already_answered", chat_id, user_id, language)
            )
            return
        if decoded.kind == "toggle":
            await self._tick(query, message, key, decoded.payload, language)
            return
        step = None
        if decoded.kind == "confirm":
            toggles = self._ticks.current(key, markup_of(message))
            chosen = [toggle for toggle in toggles if toggle.checked]
            if not chosen:
                await self._keyboards.answer(
                    query, await self._words("choose_one", chat_id, user_id, language)
                )
                return
            step = shown_at(toggles)
            text = confirmed_text(toggles, step)
            shown = ", ".join(toggle.title for toggle in chosen)
        else:
            text = decoded.payload
            shown = button_title(markup_of(message), data) or decoded.payload
        dedupe = f"k{message.message_id}" if message is not None else f"q{query.id}"
        inbound = InboundMessage(
            channel=CHANNEL,
            user_id=str(user_id),
            text=text,
            message_id=dedupe,
            received_at=dt.datetime.now(dt.UTC),
            language=language,
            address=self._address(chat_id),
        )
        replies = await self._handle(inbound, chat_id, language, query)
        if replies is None:
            return
        await self._keyboards.answer(query, None)
        if asked_again(replies, step):  # refused: never shown with a ✓
            await self._keyboards.mark_answered(message, None)  # the new keyboard replaces it
            key = None
        else:
            await self._keyboards.mark_answered(message, shown)
        await self._send_replies(chat_id, user_id, replies)
        if key is not None:  # only now: a redelivery must send the replies again
            self._answered[key] = None
            self._ticks.forget(key)
            bound(self._answered)

    async def _tick(
        self,
        query: CallbackQuery,
        message: Message | None,
        key: tuple[int, int] | None,
        payload: str,
        language: str | None,
    ) -> None:
        if message is None or key is None:
            await self._keyboards.answer(query, None)
            return
        maximum = await self._ticks.tick(key, message.reply_markup, payload, query.from_user.id)
        if maximum is None:
            await self._keyboards.answer(query, None)
            return
        kept = await self._language(key[0], query.from_user.id, language)
        await self._keyboards.answer(query, too_many(maximum, kept, self.default_language))

    async def _switch_language(self, chat_id: int, user_id: int, language: str) -> None:
        self._languages[chat_id] = language
        bound(self._languages)
        if not isinstance(self.conversations, LanguageChoice):
            await self._say(chat_id, user_id, "language_set", language)
            return
        try:
            replies = await self.conversations.change_language(
                CHANNEL, str(user_id), language, dt.datetime.now(dt.UTC)
            )
        except Exception as error:  # as in _handle
            log.error("telegram: changing language failed: %s", type(error).__name__)
            await self._say(chat_id, user_id, "try_again", language)
            return
        await self._send_replies(chat_id, user_id, replies)

    # --- talking to the service and to Telegram --------------------------------

    async def _handle(
        self,
        inbound: InboundMessage,
        chat_id: int,
        language: str | None,
        query: CallbackQuery | None = None,
    ) -> Sequence[Reply] | None:
        try:
            return await self.conversations.handle(inbound)
        except ButtonOutdated:  # nothing stored; the old keyboard stays as it was
            if query is not None:
                user_id = int(inbound.user_id)
                await self._keyboards.answer(
                    query, await self._words("already_answered", chat_id, user_id, language)
                )
            return None
        except Exception as error:  # the resident must hear something; logged for us
            log.error(
                "telegram: the conversation service failed on %s: %s",
                inbound.message_id,
                type(error).__name__,
                exc_info=log.isEnabledFor(logging.DEBUG),
            )
            user_id = int(inbound.user_id)
            words = await self._words("try_again", chat_id, user_id, language)
            if query is not None:
                await self._keyboards.answer(query, words)
            else:
                await self._send(chat_id, user_id, words, None)
            return None

    async def _send_replies(
        self, chat_id: int, user_id: int, replies: Sequence[Reply] | None
    ) -> None:
        for reply in replies or ():
            chunks = split_text(reply.text)
            markup = reply_keyboard(reply, chat_id, self.codec)
            for index, chunk in enumerate(chunks):
                last = index == len(chunks) - 1
                await self._send(chat_id, user_id, chunk, markup if last else None)

    async def _send(
        self, chat_id: int, user_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> None:
        if self.reach.refuses(chat_id):
            log.info("telegram: a message to an unreachable resident was not sent")
            return
        await call_api(
            "sendMessage",
            lambda: self.bot.send_message(chat_id=chat_id, text=text, reply_markup=markup),
            self.policy,
        )

    async def _say(
        self, chat_id: int, user_id: int, text_id: str, language: str | None, *, own: bool = False
    ) -> None:
        """Say a text of the channel's; `own`: in the resident's kept language
        (else `language` is the one just chosen)."""
        text = (
            await self._words(text_id, chat_id, user_id, language)
            if own
            else self._text(text_id, language)
        )
        await self._send(chat_id, user_id, text, None)

    async def _words(self, text_id: str, chat_id: int, user_id: int, hint: str | None) -> str:
        """A text of the channel's in the language kept with the resident (the one
        they chose with /langue, whichever process saw it and across restarts),
        else the one chosen here before they enrolled, else `hint`."""
        return self._text(text_id, await self._language(chat_id, user_id, hint))

    async def _language(self, chat_id: int, user_id: int, hint: str | None) -> str | None:
        """The resident's language as `_words` reads it."""
        language = None
        if isinstance(self.conversations, KeptLanguage):
            try:
                language = await self.conversations.language_of(CHANNEL, str(user_id))
            except Exception as error:  # e.g. the database is down: the hint will do
                log.info("telegram: the resident's language not read (%s)", type(error).__name__)
        return language or self._languages.get(chat_id) or hint

    def _text(self, text_id: str, language: str | None) -> str:
        """What the channel itself says (catalogue section `telegram`), in the
        resident's language, else the deployment's default (`flows.language`)."""
        return CATALOGUE.text("telegram", text_id, language, self.default_language)

    # --- bookkeeping ----------------------------------------------------------

    def _remember(self, update_id: int) -> None:
        self._done[update_id] = None
        bound(self._done)
