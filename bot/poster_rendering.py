"""Draw a poster's shapes (`bot.poster.layout`) as SVG, PNG or PDF.

SVG and PDF are vector (a print shop can enlarge them); PNG is 200 dots per inch,
for a screen or a quick print. All three use the same font and the same places.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from html import escape
from typing import Literal

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.colors import HexColor
from reportlab.pdfgen.canvas import Canvas

from bot.poster import PAGE_HEIGHT, PAGE_WIDTH, Box, Code, Shape, Text
from bot.poster_fonts import font_name, font_path

Format = Literal["svg", "png", "pdf"]
FORMATS: tuple[Format, ...] = ("svg", "png", "pdf")
PNG_DPI = 200
_MM_TO_PT = 72 / 25.4


def render(shapes: Sequence[Shape], fmt: Format, title: str) -> bytes:
    if fmt == "svg":
        return _svg(shapes, title)
    if fmt == "png":
        return _png(shapes)
    return _pdf(shapes, title)


def _svg(shapes: Sequence[Shape], title: str) -> bytes:
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{PAGE_WIDTH:g}mm" height="{PAGE_HEIGHT:g}mm" '
        f'viewBox="0 0 {PAGE_WIDTH:g} {PAGE_HEIGHT:g}" role="img">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{PAGE_WIDTH:g}" height="{PAGE_HEIGHT:g}" fill="#ffffff"/>',
    ]
    for shape in shapes:
        if isinstance(shape, Box):
            parts.append(
                f'<rect x="{shape.x:g}" y="{shape.y:g}" width="{shape.width:g}" '
                f'height="{shape.height:g}" fill="{shape.colour}"/>'
            )
        elif isinstance(shape, Text):
            anchor = "middle" if shape.align == "center" else "start"
            weight = ' font-weight="bold"' if shape.bold else ""
            parts.append(
                f'<text x="{shape.x:g}" y="{shape.baseline:g}" '
                f'font-size="{shape.size / _MM_TO_PT:.3f}" text-anchor="{anchor}"{weight} '
                f'font-family="Bitstream Vera Sans, DejaVu Sans, Verdana, sans-serif" '
                f'fill="{shape.colour}">{escape(shape.text)}</text>'
            )
        else:
            parts.append(_svg_code(shape))
    parts.append("</svg>")
    return "\n".join(parts).encode()


def _svg_code(code: Code) -> str:
    unit = code.size / len(code.modules)
    path = "".join(
        f"M{code.x + column * unit:.3f} {code.y + row * unit:.3f}"
        f"h{unit:.3f}v{unit:.3f}h-{unit:.3f}z"
        for row, cells in enumerate(code.modules)
        for column, dark in enumerate(cells)
        if dark
    )
    return (
        f'<a href="{escape(code.link)}"><rect x="{code.x:g}" y="{code.y:g}" '
        f'width="{code.size:g}" height="{code.size:g}" fill="#ffffff"/>'
        f'<path d="{path}" fill="#000000" shape-rendering="crispEdges"/></a>'
    )


def _png(shapes: Sequence[Shape]) -> bytes:
    scale = PNG_DPI / 25.4  # pixels per millimetre
    image = Image.new("RGB", (round(PAGE_WIDTH * scale), round(PAGE_HEIGHT * scale)), "white")
    draw = ImageDraw.Draw(image)
    for shape in shapes:
        if isinstance(shape, Box):
            box = (shape.x, shape.y, shape.x + shape.width, shape.y + shape.height)
            draw.rectangle([round(v * scale) for v in box], fill=shape.colour)
        elif isinstance(shape, Text):
            font = ImageFont.truetype(str(font_path(shape.bold)), round(shape.size * PNG_DPI / 72))
            anchor = "ms" if shape.align == "center" else "ls"  # baseline, like the others
            position = (shape.x * scale, shape.baseline * scale)
            draw.text(position, shape.text, font=font, fill=shape.colour, anchor=anchor)
        else:
            unit = shape.size / len(shape.modules) * scale
            for row, cells in enumerate(shape.modules):
                for column, dark in enumerate(cells):
                    if dark:
                        left, top = shape.x * scale + column * unit, shape.y * scale + row * unit
                        draw.rectangle(
                            [
                                round(left),
                                round(top),
                                round(left + unit) - 1,
                                round(top + unit) - 1,
                            ],
                            fill="black",
                        )
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(PNG_DPI, PNG_DPI), optimize=True)
    return out.getvalue()


def _pdf(shapes: Sequence[Shape], title: str) -> bytes:
    out = io.BytesIO()
    page = (PAGE_WIDTH * _MM_TO_PT, PAGE_HEIGHT * _MM_TO_PT)
    canvas = Canvas(out, pagesize=page, invariant=True)
    canvas.setTitle(title)

    def y(mm: float) -> float:  # PDF measures from the bottom of the page
        return (PAGE_HEIGHT - mm) * _MM_TO_PT

    for shape in shapes:
        if isinstance(shape, Box):
            canvas.setFillColor(HexColor(shape.colour))
            canvas.rect(
                shape.x * _MM_TO_PT,
                y(shape.y + shape.height),
                shape.width * _MM_TO_PT,
                shape.height * _MM_TO_PT,
                stroke=0,
                fill=1,
            )
        elif isinstance(shape, Text):
            canvas.setFillColor(HexColor(shape.colour))
            canvas.setFont(font_name(shape.bold), shape.size)
            if shape.align == "center":
                canvas.drawCentredString(shape.x * _MM_TO_PT, y(shape.baseline), shape.text)
            else:
                canvas.drawString(shape.x * _MM_TO_PT, y(shape.baseline), shape.text)
        else:
            canvas.setFillColor(HexColor("#000000"))
            unit = shape.size / len(shape.modules)
            for row, cells in enumerate(shape.modules):
                for column, dark in enumerate(cells):
                    if dark:
                        canvas.rect(
                            (shape.x + column * unit) * _MM_TO_PT,
                            y(shape.y + (row + 1) * unit),
                            unit * _MM_TO_PT,
                            unit * _MM_TO_PT,
                            stroke=0,
                            fill=1,
                        )
            canvas.linkURL(
                shape.link,
                (
                    shape.x * _MM_TO_PT,
                    y(shape.y + shape.size),
                    (shape.x + shape.size) * _MM_TO_PT,
                    y(shape.y),
                ),
                relative=0,
            )
    canvas.showPage()
    canvas.save()
    return out.getvalue()
