"""Posters: what a person checks on the printed page is that each code, scanned
with a phone, opens the right place, and that the words are on the page."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from xml.etree import ElementTree

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from bot.poster import MARGIN, PAGE_WIDTH, PosterError, Text, layout, links_for
from bot.poster_fonts import text_width
from bot.poster_rendering import render
from flows.loader import load_flow
from flows.translated import Translated

ROOT = Path(__file__).resolve().parents[2]
MOBILITE = load_flow(ROOT / "flows" / "examples" / "mobilite.yml")
LYCEES = load_flow(ROOT / "flows" / "examples" / "lycees.yml")
WEB = "https://consultation.example.fr"


def scanned(png: bytes) -> set[str]:
    return {code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))}


def test_each_code_of_the_png_opens_its_link():
    links = links_for("mobilite", WEB, "@CvlConsultBot", "gare-tours")
    png = render(layout(MOBILITE, links, "fr"), "png", "t")
    assert scanned(png) == {
        "https://consultation.example.fr/c/mobilite?src=gare-tours",
        "https://t.me/CvlConsultBot?start=mobilite_S_gare-tours",
    }
    image = Image.open(io.BytesIO(png))
    assert image.size == (1654, 2339)  # A4 at 200 dpi


def test_the_pdf_is_one_a4_page_with_the_words_and_the_links():
    links = links_for("lycees", WEB + "/", None, None)
    pdf = PdfReader(io.BytesIO(render(layout(LYCEES, links, "fr"), "pdf", "Les lycées")))
    (page,) = pdf.pages
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = page.extract_text()
    assert "Les lycées de demain" in text
    assert "Du 1er septembre 2026 au 30 juin 2027" in text
    assert "consultation.example.fr/c/lycees" in text
    uris = {annot.get_object()["/A"]["/URI"] for annot in page["/Annots"]}
    assert uris == {"https://consultation.example.fr/c/lycees"}


def test_the_svg_links_each_code_and_escapes_the_texts():
    links = links_for("mobilite", WEB, "CvlConsultBot", None)
    svg = ElementTree.fromstring(render(layout(MOBILITE, links, "en"), "svg", "<Mobility>"))
    ns = {"svg": "http://www.w3.org/2000/svg"}
    assert svg.find("svg:title", ns).text == "<Mobility>"
    hrefs = {a.get("href") for a in svg.iterfind("svg:a", ns)}
    assert hrefs == {
        "https://consultation.example.fr/c/mobilite",
        "https://t.me/CvlConsultBot?start=mobilite",
    }
    texts = [t.text for t in svg.iterfind("svg:text", ns)]
    assert "Mobilité en Centre-Val de Loire" in texts  # the title in its other language
    assert "Answer on Telegram" in texts


def test_a_long_title_wraps_inside_the_page():
    long_title = LYCEES.title.get("fr") + " : " + "une très longue consultation " * 6
    flow = dataclasses.replace(
        LYCEES, title=Translated((("fr", long_title), *LYCEES.title.texts[1:]))
    )
    shapes = layout(flow, links_for("lycees", WEB, None, None), "fr")
    lines = [s for s in shapes if isinstance(s, Text) and s.size == 30]
    assert len(lines) > 3
    assert " ".join(line.text for line in lines) == " ".join(long_title.split())
    for line in lines:
        assert text_width(line.text, line.size, True) * 25.4 / 72 <= PAGE_WIDTH - 2 * MARGIN


@pytest.mark.parametrize("source", ["Gare Tours", "gare/tours", "", "x" * 41, "été"])
def test_a_source_tag_unusable_in_a_link_is_refused(source):
    with pytest.raises(PosterError, match="gare-tours"):
        links_for("mobilite", WEB, None, source)


def test_a_poster_with_nowhere_to_go_says_what_to_set():
    with pytest.raises(PosterError, match=r"server\.public_url"):
        links_for("mobilite", None, None, None)


def test_a_source_tag_rides_in_the_telegram_start_parameter_when_it_fits():
    from bot.source_tags import split_start, start_parameter

    assert split_start(start_parameter("mobilite", "gare-tours")) == ("mobilite", "gare-tours")
    assert split_start("lycees") == ("lycees", None)
    assert split_start("mobilite_S_Not A Tag") == ("mobilite", None)
    long_id = "x" * 60
    assert start_parameter(long_id, "gare-tours") == long_id  # 64 characters at most
