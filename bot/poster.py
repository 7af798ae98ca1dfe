"""An A4 poster for a consultation, for places where the region has no counter
(train stations, lycées, libraries, town halls): its title, what it is about, a
QR code for the web chat and one for the Telegram bot, the links written out
for those who type them, and how long it runs.

The poster is laid out once, as shapes placed in millimetres on the page
(`layout`); `bot.poster_rendering` draws the same shapes as SVG, PNG or PDF, so
the three formats cannot drift apart. Text is measured with the metrics of the
font every format uses (Bitstream Vera, shipped with reportlab), so a long
title wraps the same way everywhere.

Each link may carry a `source` tag (`?src=gare-tours`): one poster per place,
so that organizers can tell which places bring residents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

import segno

from bot.errors import UserError
from bot.poster_fonts import text_width
from bot.source_tags import SOURCE_PATTERN, start_parameter
from flows.catalogue import CATALOGUE
from flows.messages import format_date
from flows.model import Flow

PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0  # A4, millimetres
MARGIN = 16.0
BAND_COLOUR = "#1d4f91"
_POINT = 25.4 / 72  # one typographic point in millimetres


class PosterError(UserError):
    """A poster that cannot be made as asked (bad source tag, no address to link to)."""


@dataclass(frozen=True, slots=True)
class Text:
    x: float  # millimetres; the centre for align="center"
    baseline: float  # millimetres from the top of the page
    size: float  # points
    text: str
    bold: bool = False
    colour: str = "#000000"
    align: Literal["left", "center"] = "center"


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass(frozen=True, slots=True)
class Code:
    """A QR code: `modules[row][column]` is dark, drawn in a `size` mm square
    at (x, y), its quiet zone included."""

    x: float
    y: float
    size: float
    modules: tuple[tuple[bool, ...], ...]
    link: str


Shape = Text | Box | Code


@dataclass(frozen=True, slots=True)
class PosterLinks:
    web: str | None
    telegram: str | None


def links_for(
    consultation_id: str, web_base: str | None, telegram_bot: str | None, source: str | None
) -> PosterLinks:
    """The web chat and Telegram links of a consultation, tagged with `source`."""
    if source is not None and not SOURCE_PATTERN.fullmatch(source):
        raise PosterError(
            f"the source tag {source!r} is not usable in a link: use up to 40 lowercase "
            "letters, digits and '-', e.g. 'gare-tours'"
        )
    if not web_base and not telegram_bot:
        raise PosterError(
            "the poster has nothing to link to: set server.public_url (the address residents "
            "reach, e.g. https://consultation.example.fr) or telegram.bot_username, or give "
            "--web-url / --telegram-bot"
        )
    web = None
    if web_base:
        if not web_base.startswith(("https://", "http://")):
            raise PosterError(f"the web address {web_base!r} must start with https://")
        web = f"{web_base.rstrip('/')}/c/{quote(consultation_id)}"
        if source:
            web += f"?src={source}"
    telegram = None
    if telegram_bot:
        # Telegram's one start parameter carries the consultation and the tag.
        start = start_parameter(consultation_id, source or None)
        telegram = f"https://t.me/{telegram_bot.lstrip('@')}?start={quote(start)}"
    return PosterLinks(web, telegram)


def layout(flow: Flow, links: PosterLinks, language: str) -> list[Shape]:
    """The poster of `flow` in `language` (its title also in its other languages);
    its own words come from the text catalogue (section `poster`), in `language`
    or else the flow's main language (`flows.language`)."""
    own = CATALOGUE.language(language, *flow.languages)
    words = CATALOGUE.section("poster", own)
    shapes: list[Shape] = [Box(0, 0, PAGE_WIDTH, 34, BAND_COLOUR)]
    shapes.append(Text(PAGE_WIDTH / 2, 22, 26, words["call"], bold=True, colour="#ffffff"))
    y = 56.0
    for line in _wrap(flow.title.get(language), 30, bold=True):
        shapes.append(Text(PAGE_WIDTH / 2, y, 30, line, bold=True))
        y += 13
    for other in flow.languages:
        if other != language:
            for line in _wrap(flow.title.get(other), 16):
                shapes.append(Text(PAGE_WIDTH / 2, y, 16, line, colour="#444444"))
                y += 7.5
    y += 6
    if flow.intro is not None:
        for line in _wrap(flow.intro.get(language), 17):
            shapes.append(Text(PAGE_WIDTH / 2, y, 17, line))
            y += 8
    when = _period(flow.opens, flow.closes, words, own)
    if when:
        y += 2
        shapes.append(Text(PAGE_WIDTH / 2, y, 17, when, bold=True, colour=BAND_COLOUR))
        y += 8
    shapes.extend(_codes(links, words, top=max(y + 8, 130)))
    for index, line in enumerate(_wrap(words["footer"], 12)):
        shapes.append(Text(PAGE_WIDTH / 2, PAGE_HEIGHT - 18 + index * 5.5, 12, line))
    return shapes


def _codes(links: PosterLinks, words: Mapping[str, str], top: float) -> list[Shape]:
    targets = [
        (link, words[kind])
        for kind, link in (("web", links.web), ("telegram", links.telegram))
        if link
    ]
    size = 80.0 if len(targets) == 1 else 72.0
    column = (PAGE_WIDTH - 2 * MARGIN) / len(targets)
    captions = [_wrap(caption, 15, bold=True, width=column - 6) for _, caption in targets]
    code_top = top + 7 * max(len(lines) for lines in captions)  # codes side by side, level
    shapes: list[Shape] = []
    for index, ((link, _), caption) in enumerate(zip(targets, captions, strict=True)):
        centre = MARGIN + column * (index + 0.5)
        for row, line in enumerate(caption):
            shapes.append(Text(centre, top + 7 * row, 15, line, bold=True))
        shapes.append(Code(centre - size / 2, code_top, size, _modules(link), link))
        shown = link.removeprefix("https://")
        fit = _fitting_size(shown, 11, 7, column - 4)
        for row, line in enumerate(_wrap(shown, fit, width=column - 4)):
            shapes.append(
                Text(centre, code_top + size + 6 + row * 4.5, fit, line, colour="#333333")
            )
    return shapes


def _fitting_size(text: str, largest: float, smallest: float, width: float) -> float:
    """The largest size from `largest` down to `smallest` at which `text` fits on one line."""
    size = largest
    while size > smallest and text_width(text, size, False) * _POINT > width:
        size -= 0.5
    return size


def _modules(link: str) -> tuple[tuple[bool, ...], ...]:
    code = segno.make(link, error="m", micro=False)
    return tuple(tuple(bool(cell) for cell in row) for row in code.matrix_iter(border=4))


def _wrap(text: str, size: float, *, bold: bool = False, width: float | None = None) -> list[str]:
    """`text` cut at spaces into lines no wider than `width` mm (the page's
    text width by default); a word longer than a line is cut where it must."""
    limit = (width if width is not None else PAGE_WIDTH - 2 * MARGIN) / _POINT
    lines: list[str] = []
    line = ""
    for word in " ".join(text.split()).split(" "):
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size, bold) <= limit:
            line = candidate
            continue
        if line:
            lines.append(line)
        while text_width(word, size, bold) > limit and len(word) > 1:
            cut = max(1, int(len(word) * limit / text_width(word, size, bold)))
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def _period(
    opens: dt.date | None, closes: dt.date | None, words: Mapping[str, str], language: str
) -> str | None:
    if closes is None:
        return None
    end = format_date(closes, language)
    if opens is None:
        return words["until"].format(end=end)
    return words["from_to"].format(start=format_date(opens, language), end=end)
