"""A flow picks the language to speak from what it is told."""

import dataclasses

from tests.flows.engine_flows import mobilite


def test_the_first_hint_the_flow_speaks_wins():
    flow = mobilite()
    assert flow.languages == ("fr", "en")
    assert flow.language_for("en-GB") == "en"
    assert flow.language_for("de", "en") == "en"
    assert flow.language_for(None, "fr") == "fr"


def test_without_a_hint_it_speaks_its_first_language():
    flow = mobilite()
    assert flow.language_for() == "fr"
    assert flow.language_for("de", None) == "fr"
    english_first = dataclasses.replace(flow, languages=("en", "fr"))
    assert english_first.language_for("it") == "en"
