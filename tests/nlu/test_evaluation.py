from nlu import Answer, Command, QuestionSpec, Reject
from nlu.evaluation import Case, Outcome, Report, passes

MULTI = QuestionSpec("multi_choice")


def case(form, expected, kind="yes_no"):
    return Case("x", "fr", QuestionSpec(kind), "texte", form, expected)


def test_passes_compares_exactly_and_multi_choice_as_sets():
    assert passes(case("answer", True), Answer(True))
    assert not passes(case("answer", 1, "number"), Answer(True))  # bool is no int here
    assert passes(case("answer", ["b", "a"], "multi_choice"), Answer(("a", "b")))
    assert passes(case("intent", "stop"), Command("stop"))
    assert not passes(case("intent", "stop"), Command("help"))
    assert passes(case("reject", True), Reject("ambiguous"))
    assert not passes(case("reject", True), Answer(False))


def test_report_figures():
    outcomes = tuple(
        Outcome(case("answer", True, kind), Answer(True), ok, seconds)
        for kind, ok, seconds in [("yes_no", True, 0.001), ("yes_no", False, 0.003),
                                  ("date", True, 0.002)]
    )  # fmt: skip
    report = Report(outcomes)
    assert report.cases == 3
    assert round(report.accuracy, 3) == 0.667
    assert report.by("kind") == {"date": (1, 1.0), "yes_no": (2, 0.5)}
    assert report.percentile_ms(0.5) == 2.0
    assert report.as_json()["p99_ms"] == 3.0
