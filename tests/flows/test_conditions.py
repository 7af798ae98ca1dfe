"""`when` conditions decided over the answers known so far."""

import pytest

from flows.conditions import AllOf, Answered, AnyOf, Compare, Not, Skipped, evaluate

ANSWERS = {
    "mode": "train",
    "satisfaction": 2,
    "resident": True,
    "transport": ("car", "train"),
    "visit": "2026-07-14",
    "complaint": None,  # skipped
}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (Compare("mode", "eq", "train"), True),
        (Compare("mode", "eq", "car"), False),
        (Compare("mode", "ne", "car"), True),
        (Compare("mode", "in", ("car", "train")), True),
        (Compare("mode", "in", ("car", "bus")), False),
        (Compare("satisfaction", "lte", 2), True),
        (Compare("satisfaction", "lt", 2), False),
        (Compare("satisfaction", "gt", 1), True),
        (Compare("satisfaction", "gte", 3), False),
        (Compare("satisfaction", "eq", 2), True),
        (Compare("resident", "eq", True), True),
        (Compare("resident", "eq", 1), False),  # true is not 1
        (Compare("satisfaction", "eq", True), False),
        (Compare("transport", "eq", "train"), True),  # among the selections
        (Compare("transport", "eq", "bike"), False),
        (Compare("transport", "ne", "bike"), True),
        (Compare("transport", "in", ("bike", "car")), True),
        (Compare("transport", "in", ("bike",)), False),
        (Compare("transport", "eq", ("train", "car")), True),  # exactly these
        (Compare("transport", "gt", "a"), False),
        (Compare("visit", "gte", "2026-07-01"), True),  # ISO dates order as text
        (Compare("visit", "lt", "2026-07-01"), False),
        (Compare("mode", "lt", 3), False),  # a text is not below a number
        (Compare("unknown", "eq", "x"), False),
        (Compare("unknown", "ne", "x"), False),  # no answer, no comparison
        (Compare("complaint", "ne", "x"), False),  # skipped: no answer either
        (Answered("mode"), True),
        (Answered("complaint"), False),
        (Answered("unknown"), False),
        (Skipped("complaint"), True),
        (Skipped("mode"), False),
        (Skipped("unknown"), False),
        (Not(Answered("unknown")), True),
        (AllOf((Answered("mode"), Compare("satisfaction", "lte", 2))), True),
        (AllOf((Answered("mode"), Compare("satisfaction", "gt", 2))), False),
        (AnyOf((Answered("unknown"), Skipped("complaint"))), True),
        (AnyOf((Answered("unknown"), Skipped("mode"))), False),
        (AllOf(()), True),
        (AnyOf(()), False),
    ],
)
def test_evaluate(condition, expected):
    assert evaluate(condition, ANSWERS) is expected
