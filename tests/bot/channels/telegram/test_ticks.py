"""The answer to a tick beyond a multiple choice's maximum is a text of the
catalogue (`telegram.too_many`): a region rewords it, or adds a language, by
editing `flows/texts`, as for the channel's other texts."""

from __future__ import annotations

from importlib import resources

import pytest

from bot.channels.telegram import ticks
from flows.catalogue import Catalogue


def _texts(code: str) -> str:
    return (resources.files("flows") / "texts" / f"{code}.yml").read_text(encoding="utf-8")


def test_the_refused_tick_is_said_as_the_catalogue_words_it(monkeypatch: pytest.MonkeyPatch):
    french = _texts("fr").replace("'{n} choix au maximum'", "'Pas plus de {n} réponses'")
    german = _texts("en").replace("'{n} choices at most'", "'Höchstens {n} Antworten'")
    catalogue = Catalogue.parse({"en": _texts("en"), "fr": french, "de": german})
    monkeypatch.setattr(ticks, "CATALOGUE", catalogue, raising=False)
    assert ticks.too_many(3, "de", "fr") == "Höchstens 3 Antworten"
    assert ticks.too_many(2, None, "fr") == "Pas plus de 2 réponses"  # the deployment's
    assert ticks.too_many(4, "en", "fr") == "4 choices at most"
