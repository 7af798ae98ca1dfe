"""The development evaluation set, run as a test: a regression below the floor fails.

The floor sits a little under the accuracy reached, so that improving one kind
cannot hide a collapse of another: each kind has its own floor too.
"""

from pathlib import Path

from bot.evaluation import load_cases, score

DATA = Path(__file__).parent / "data"
DEV_SET = DATA / "nlu_dev.jsonl"
REGRESSION_SET = DATA / "nlu_regression.jsonl"
OVERALL_FLOOR = 0.97
KIND_FLOOR = 0.94


def test_dev_set_accuracy_stays_above_the_floor(interpreter):
    report = score(interpreter, load_cases(DEV_SET))
    failures = [f"{o.case.id}: {o.case.text!r} -> {o.got}" for o in report.outcomes if not o.passed]
    assert report.cases == 425
    assert report.accuracy >= OVERALL_FLOOR, "\n".join(failures)
    for kind, (_, accuracy) in report.by("kind").items():
        assert accuracy >= KIND_FLOOR, f"{kind}: {accuracy:.1%}\n" + "\n".join(failures)


def test_regression_set_accuracy_stays_above_the_floor(interpreter):
    report = score(interpreter, load_cases(REGRESSION_SET))
    failures = [f"{o.case.id}: {o.case.text!r} -> {o.got}" for o in report.outcomes if not o.passed]
    assert report.accuracy >= OVERALL_FLOOR, "\n".join(failures)
