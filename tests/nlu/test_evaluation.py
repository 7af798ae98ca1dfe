from nlu import Answer, Candidate, Command, Confirm, QuestionSpec, Reject
from nlu.evaluation import Case, Outcome, Report, passes, verdict

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


def test_a_confirmation_is_not_wrong_and_a_guess_is():
    number = QuestionSpec("number")
    meant = Case("x", "fr", number, "deux adultes et un enfant", "confirm", 3)
    unknown = Case("y", "fr", QuestionSpec("date"), "mardi 3 juillet", "confirm", None)
    asked = Confirm((Candidate(3),), "sum")
    assert passes(meant, asked)
    assert passes(meant, Answer(3))  # the value meant, stored at once
    assert not passes(meant, Confirm((Candidate(4),), "sum"))
    assert verdict(meant, Confirm((Candidate(4),), "sum")) == "confirmation"
    assert verdict(meant, Answer(4)) == "wrong"
    assert verdict(meant, Reject("not_understood")) == "reask"
    assert passes(unknown, Confirm((Candidate("2026-07-03"),), "weekday"))
    assert verdict(unknown, Answer("2026-07-03")) == "wrong"


def test_rates_per_group_and_command_figures():
    def outcome(form, expected, got, lang="fr"):
        c = Case("x", lang, QuestionSpec("yes_no"), "t", form, expected)
        return Outcome(c, got, passes(c, got), 0.001)

    report = Report(
        (
            outcome("answer", True, Answer(True)),
            outcome("answer", True, Command("stop")),  # an answer taken for a command
            outcome("reject", True, Answer(False), "en"),  # a value not meant
            outcome("intent", "skip", Command("skip"), "en"),
            outcome("intent", "human", Reject("not_understood"), "en"),  # a re-ask
        )
    )
    assert report.rates.wrong == 0.4
    assert report.rates.reasks == 0.2
    assert report.rates_by("lang")["en"].wrong == 1 / 3
    assert report.commands_recognised == 0.5
    assert report.answers_taken_for_commands == 1 / 3


def test_asking_which_of_several_passes_for_a_re_ask_proposing_one_does_not():
    re_ask = Case("x", "fr", QuestionSpec("commune"), "Vineuil", "reject", True)
    assert passes(re_ask, Confirm((Candidate("41295"), Candidate("36247")), "homonyms"))
    assert not passes(re_ask, Confirm((Candidate("41295"),), "spelling"))
    assert verdict(re_ask, Confirm((Candidate("41295"),), "spelling")) == "confirmation"
