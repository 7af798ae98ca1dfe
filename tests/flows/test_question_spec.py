"""A flow question described to nlu, and answers checked against it."""

from flows.question_spec import fit, question_spec
from nlu.interpretation import Answer, Reject
from tests.flows.engine_flows import mobilite, rich


def test_choice_names_are_the_label_then_the_synonyms_of_the_language():
    mode = mobilite().questions[0]
    spec = question_spec(mode, "fr")
    assert spec.kind == "choice"
    assert spec.choices[0].id == "car"
    assert spec.choices[0].names == ("Voiture", "auto", "bagnole")
    assert question_spec(mode, "en").choices[0].names == ("Car",)


def test_bounds_are_passed_on():
    flow = rich()
    spec = question_spec(flow.question("transport"), "fr")
    assert (spec.min_selections, spec.max_selections) == (1, 2)
    spec = question_spec(flow.question("visit"), "fr")
    assert spec.min_date is not None
    assert spec.min_date.isoformat() == "2026-01-01"


def test_fit():
    flow = rich()
    assert fit(flow.question("resident"), True) == Answer(True)
    assert fit(flow.question("resident"), "oui") == Reject("not_understood")
    assert fit(flow.question("transport"), ("bike", "car")) == Answer(("car", "bike"))
    assert fit(flow.question("transport"), ("car", "plane")) == Reject("not_understood")
    assert fit(flow.question("transport"), ()) == Reject("not_understood")
    assert fit(flow.question("train_trips"), 101) == Reject("out_of_range")
    assert fit(flow.question("train_trips"), False) == Reject("not_understood")
    assert fit(flow.question("complaint"), "  ok  ") == Answer("ok")
    assert fit(flow.question("complaint"), "   ") == Reject("empty")
    assert fit(flow.question("zip"), "4500") == Reject("not_understood")
    assert fit(flow.question("commune"), "2A004") == Answer("2A004")
    assert fit(flow.question("visit"), "2026-02-30") == Reject("not_understood")
