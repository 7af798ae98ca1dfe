"""How a `flows.replies.Reply` looks in Telegram, and what its buttons send back.

Texts longer than Telegram's 4,096 characters are split at paragraph, line or word
boundaries (Telegram counts UTF-16 code units, so do we). Buttons become an inline
keyboard whose `callback_data` (at most 64 bytes) is

    <kind><signature: 8 chars><body>

- kind `a` answer, `t` toggle of a multi-choice, `c` confirm a multi-choice,
  `l` language; the body is the button's payload;
- the same kinds in capitals when the payload does not fit: the body is then a
  short reference to the payload kept in memory by `CallbackCodec` (lost on a
  restart: the resident is asked to type the answer instead);
- the signature (`bot.signatures`) is a keyed hash of kind, chat and body, so data
  we never issued (or issued to another chat) is recognised and refused. The key
  is the purpose "telegram callback data" of the deployment's secret (`bot.keys`),
  so buttons shown before a restart still work after it.

Multi-choice toggles carry their state in their title ("☑ Bus" / "☐ Bus"), so a
keyboard can be rebuilt from the message Telegram sends back with each tap.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.button_steps import read as read_button
from bot.keys import Keys
from bot.signatures import Signer
from flows.catalogue import CATALOGUE
from flows.replies import Button, Reply

MAX_TEXT_UNITS = 4096  # Telegram's limit for one message, in UTF-16 code units
MAX_CALLBACK_BYTES = 64
CHECKED = "☑ "
UNCHECKED = "☐ "
CONFIRM_TITLE = "✓ OK"
_SIGNATURE_CHARS = 8
_SHORT_PER_ROW = 6  # buttons of a few characters per row on a phone
_REFERENCES_KEPT = 50_000

CallbackKind = Literal["answer", "toggle", "confirm", "language"]
_KIND_CODES: dict[CallbackKind, str] = {
    "answer": "a",
    "toggle": "t",
    "confirm": "c",
    "language": "l",
}
_CODE_KINDS: dict[str, CallbackKind] = {code: kind for kind, code in _KIND_CODES.items()}


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT_UNITS) -> list[str]:
    """Cut `text` into messages of at most `limit` UTF-16 units, preferring to
    cut between paragraphs, then lines, then words."""
    chunks: list[str] = []
    rest = text.strip()
    while utf16_length(rest) > limit:
        head = _longest_prefix(rest, limit)
        cut = max(head.rfind("\n\n"), head.rfind("\n"), head.rfind(" "))
        if cut <= 0:
            cut = len(head)  # one unbroken word longer than a message
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks or [text]


def _longest_prefix(text: str, limit: int) -> str:
    """The longest prefix of `text` within `limit` UTF-16 units (never half a
    surrogate pair, since we cut between Python characters)."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text


@dataclass(frozen=True, slots=True)
class DecodedCallback:
    kind: CallbackKind
    payload: str


class CallbackCodec:
    """Signs and checks the `callback_data` of our buttons."""

    def __init__(self, keys: Keys) -> None:
        self._signer = Signer(keys.derive("telegram callback data"), _SIGNATURE_CHARS)
        self._references: OrderedDict[str, str] = OrderedDict()

    def encode(self, kind: CallbackKind, chat_id: int, payload: str) -> str:
        code = _KIND_CODES[kind]
        data = self._data(code, chat_id, payload)
        if len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES:
            return data
        reference = secrets.token_urlsafe(9)  # 12 characters
        self._references[reference] = payload
        if len(self._references) > _REFERENCES_KEPT:
            self._references.popitem(last=False)
        return self._data(code.upper(), chat_id, reference)

    def decode(self, chat_id: int, data: str) -> DecodedCallback | None:
        """The button's kind and payload, or None for data we did not issue to
        this chat (or whose long payload was forgotten by a restart)."""
        if len(data) < 1 + _SIGNATURE_CHARS:
            return None
        code, signature, body = (
            data[0],
            data[1 : 1 + _SIGNATURE_CHARS],
            data[1 + _SIGNATURE_CHARS :],
        )
        kind = _CODE_KINDS.get(code.lower())
        if kind is None or not self._signer.valid(signature, _signed(code, chat_id, body)):
            return None
        if code.isupper():
            payload = self._references.get(body)
            if payload is None:
                return None
            return DecodedCallback(kind, payload)
        return DecodedCallback(kind, body)

    def _data(self, code: str, chat_id: int, body: str) -> str:
        return code + self._signer.sign(_signed(code, chat_id, body)) + body


def _signed(code: str, chat_id: int, body: str) -> str:
    """What a signature covers: the kind, the chat it was issued to, the body."""
    return f"{code}|{chat_id}|{body}"


def reply_keyboard(reply: Reply, chat_id: int, codec: CallbackCodec) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    if reply.multi_select:
        # Choices are toggles; a command button ("/skip") stays a plain button.
        rows = [
            [_button(UNCHECKED + button.title, codec.encode("toggle", chat_id, button.payload))]
            for button in reply.buttons
            if not _is_command(button)
        ]
        rows.append([_button(CONFIRM_TITLE, codec.encode("confirm", chat_id, ""))])
        rows += [
            [_button(button.title, codec.encode("answer", chat_id, button.payload))]
            for button in reply.buttons
            if _is_command(button)
        ]
        return InlineKeyboardMarkup(rows)
    buttons = [
        _button(button.title, codec.encode("answer", chat_id, button.payload))
        for button in reply.buttons
    ]
    return InlineKeyboardMarkup(_rows(reply.buttons, buttons))


def _is_command(button: Button) -> bool:
    return button.payload.startswith("/")


def confirmed_text(toggles: Sequence[Toggle], step: str | None = None) -> str:
    """What a confirmed multi-choice sends: the ticked labels, as a resident would
    type them ("Bus, Vélo"), which the interpreter reads as several choices; their
    positions ("2, 4") when a label holds a comma. (Choice ids are not read as a
    list in French: "bike, walk" is not understood.) With the step the toggles
    were shown at (`bot.button_steps`), so that an old keyboard answers nothing."""
    ticked = [(index, toggle) for index, toggle in enumerate(toggles, 1) if toggle.checked]
    if any("," in toggle.title for _, toggle in ticked):
        text = ", ".join(str(index) for index, _ in ticked)
    else:
        text = ", ".join(toggle.title for _, toggle in ticked)
    return text if step is None else f"[{step}] {text}"


def asked_again(replies: Sequence[Reply], step: str | None) -> bool:
    """Whether the replies show buttons of `step` again: the question those
    toggles were shown at is asked again, so the answer was not taken (too
    many ticked, an exclusive choice with others...)."""
    return step is not None and any(
        read_button(button.payload)[1] == step for reply in replies for button in reply.buttons
    )


def shown_at(toggles: Sequence[Toggle]) -> str | None:
    """The step the toggles were shown at, read off their payloads."""
    steps = {read_button(toggle.payload)[1] for toggle in toggles}
    return steps.pop() if len(steps) == 1 else None


def _rows(
    spec: Sequence[Button], buttons: list[InlineKeyboardButton]
) -> list[list[InlineKeyboardButton]]:
    """Scales (1..5, 0..10) and yes/no sit on one or two rows; longer labels get a
    row each so they stay readable on a phone."""
    if all(len(button.title) <= 3 for button in spec):
        per_row = -(-len(buttons) // -(-len(buttons) // _SHORT_PER_ROW))  # balanced rows
        return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    if len(spec) == 2 and all(len(button.title) <= 12 for button in spec):
        return [buttons]
    return [[button] for button in buttons]


def _button(title: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(title, callback_data=data)


def language_keyboard(chat_id: int, codec: CallbackCodec, first: str) -> InlineKeyboardMarkup:
    """One button per language of the text catalogue, each named in itself:
    `first` (the deployment's default language), then the others by name."""
    order = sorted(CATALOGUE.languages, key=lambda code: (code != first, _own_name(code)))
    return InlineKeyboardMarkup(
        [[_button(_own_name(code), codec.encode("language", chat_id, code)) for code in order]]
    )


def _own_name(code: str) -> str:
    name = CATALOGUE.text("language_names", code, code)
    return name[:1].upper() + name[1:]


@dataclass(frozen=True, slots=True)
class Toggle:
    title: str  # without the check mark
    payload: str
    checked: bool


def read_toggles(
    markup: InlineKeyboardMarkup | None, chat_id: int, codec: CallbackCodec
) -> list[Toggle]:
    """The toggles of a multi-choice keyboard as Telegram sent it back."""
    toggles: list[Toggle] = []
    if markup is None:
        return toggles
    for row in markup.inline_keyboard:
        for button in row:
            data = button.callback_data
            decoded = codec.decode(chat_id, data) if isinstance(data, str) else None
            if decoded is None or decoded.kind != "toggle":
                continue
            checked = button.text.startswith(CHECKED)
            title = button.text.removeprefix(CHECKED).removeprefix(UNCHECKED)
            toggles.append(Toggle(title, decoded.payload, checked))
    return toggles


def toggles_keyboard(
    toggles: Sequence[Toggle],
    chat_id: int,
    codec: CallbackCodec,
    previous: InlineKeyboardMarkup | None = None,
) -> InlineKeyboardMarkup:
    """The keyboard with the toggles' new marks; other buttons of `previous`
    (a skip button) are kept as they were."""
    rows = [
        [
            _button(
                (CHECKED if toggle.checked else UNCHECKED) + toggle.title,
                codec.encode("toggle", chat_id, toggle.payload),
            )
        ]
        for toggle in toggles
    ]
    rows.append([_button(CONFIRM_TITLE, codec.encode("confirm", chat_id, ""))])
    for row in previous.inline_keyboard if previous is not None else ():
        for button in row:
            data = button.callback_data
            decoded = codec.decode(chat_id, data) if isinstance(data, str) else None
            if decoded is not None and decoded.kind == "answer":
                rows.append([button])
    return InlineKeyboardMarkup(rows)


def answered_text(text: str, chosen: str) -> str | None:
    """The keyboard message once answered: its text and the choice, or None when
    that would no longer fit in one message (then only the keyboard goes)."""
    marked = f"{text}\n\n✓ {chosen}"
    return marked if utf16_length(marked) <= MAX_TEXT_UNITS else None


def button_title(markup: InlineKeyboardMarkup | None, data: str) -> str | None:
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None
