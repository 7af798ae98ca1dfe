"""The flow's `export: {decidim: ...}`: read into the model when valid (the
mistakes, each at its line, are in tests/flows/invalid/decidim_export.yml)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flows.errors import FlowValidationError
from flows.export_spec import DecidimMapping
from flows.loader import parse_flow

FLOW = """\
id: demo
title: {fr: Démo, en: Demo}
languages: [fr, en]
consent: {fr: Acceptez-vous ?, en: Agreed?}
questions:
  - id: themes
    type: multi_choice
    text: {fr: Thèmes ?, en: Themes?}
    choices:
      - {id: bus, label: {fr: Bus, en: Bus}}
      - {id: bike, label: {fr: Vélo, en: Bike}}
  - {id: idea, type: free_text, text: {fr: Idée ?, en: Idea?}}
outro: {fr: Merci, en: Thanks}
"""


def test_a_flow_without_export_has_none():
    assert parse_flow(FLOW, "demo.yml").decidim_export is None


def test_the_decidim_export_is_read_with_its_version():
    flow = parse_flow(
        FLOW
        + "export:\n  decidim:\n    body: idea\n"
        + '    title: {fr: "Idée ({themes})", en: "Idea ({themes})"}\n'
        + '    version: "0.30"\n'
        + "    category: {question: themes, ids: {bus: 4, bike: 5}}\n",
        "demo.yml",
    )
    spec = flow.decidim_export
    assert spec is not None
    assert (spec.body, spec.taxonomies, spec.scope) == ("idea", True, None)
    assert spec.title is not None
    assert spec.title.get("en") == "Idea ({themes})"
    assert spec.category == DecidimMapping("themes", (("bus", 4), ("bike", 5)))
    assert spec.category.of(["bike", "bus"]) == (4, 5)


def test_before_0_30_a_category_is_one_choice():
    with pytest.raises(FlowValidationError) as raised:
        parse_flow(
            FLOW
            + "export:\n  decidim:\n    body: idea\n"
            + "    category: {question: themes, ids: {bus: 4}}\n",
            "demo.yml",
        )
    assert "question 'themes' is a multi_choice question; this needs a choice question" in str(
        raised.value
    )


def test_the_title_needs_every_language():
    with pytest.raises(FlowValidationError) as raised:
        parse_flow(
            FLOW + 'export:\n  decidim:\n    body: idea\n    title: {fr: "Idée"}\n', "demo.yml"
        )
    assert "the Decidim title has no translation for en" in str(raised.value)


def test_the_readme_export_example_is_valid():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    (snippet,) = re.findall(r"```yaml\n(export:.*?)```", readme, flags=re.DOTALL)
    flow = parse_flow(
        """\
id: demo
title: {fr: Démo, en: Demo}
languages: [fr, en]
consent: {fr: Acceptez-vous ?, en: Agreed?}
questions:
  - id: mode
    type: choice
    text: {fr: Mode ?, en: Mode?}
    choices:
      - {id: car, label: {fr: Voiture, en: Car}}
      - {id: train, label: {fr: Train, en: Train}}
  - id: area
    type: choice
    text: {fr: Où ?, en: Where?}
    choices:
      - {id: north, label: {fr: Nord, en: North}}
      - {id: south, label: {fr: Sud, en: South}}
  - {id: proposal, type: free_text, text: {fr: Idée ?, en: Idea?}}
outro: {fr: Merci, en: Thanks}
"""
        + snippet,
        "README.md",
    )
    spec = flow.decidim_export
    assert spec is not None
    assert (spec.body, spec.taxonomies) == ("proposal", True)
