"""The poster's typeface: Bitstream Vera Sans, which reportlab ships (so every
machine has the same font, with the accents and typographic marks of French),
measured with reportlab's metrics and used by every poster format."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_FOLDER = Path(reportlab.__file__).parent / "fonts"
_FILES = {False: "Vera.ttf", True: "VeraBd.ttf"}


def font_path(bold: bool) -> Path:
    return FONT_FOLDER / _FILES[bold]


@cache
def font_name(bold: bool) -> str:
    """The font's name for reportlab, registered on first use."""
    name = "ConsultbotVeraBold" if bold else "ConsultbotVera"
    pdfmetrics.registerFont(TTFont(name, str(font_path(bold))))
    return name


def text_width(text: str, size: float, bold: bool) -> float:
    """The width of `text` at `size` points, in points."""
    return float(pdfmetrics.stringWidth(text, font_name(bold), size))
