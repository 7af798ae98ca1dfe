"""How large a flow may be: what validation enforces so that every message costs
little whatever the flow (the figures are measured by bench/large_flow.py).

A rich consultation asks 10 to 30 questions, offers up to a dozen choices and
branches on one or two answers; the limits leave ample room above that:

- MAX_QUESTIONS questions in a flow;
- MAX_CHOICES choices in a choice or multi_choice question;
- MAX_CONDITION_TERMS comparisons (`eq`, `in`, `answered`, ...) in one `when`;
- MAX_CONDITION_DEPTH levels of `all`/`any`/`not` inside one another in a `when`.
"""

from __future__ import annotations

from typing import Final

from flows.conditions import AllOf, AnyOf, Condition, Not

MAX_QUESTIONS: Final = 100
MAX_CHOICES: Final = 40
MAX_CONDITION_TERMS: Final = 20
MAX_CONDITION_DEPTH: Final = 4


def condition_size(condition: Condition) -> tuple[int, int]:
    """(comparisons, depth of all/any/not) of a condition."""
    if isinstance(condition, AllOf | AnyOf):
        sizes = [condition_size(inner) for inner in condition.conditions]
        return sum(terms for terms, _ in sizes), 1 + max((depth for _, depth in sizes), default=0)
    if isinstance(condition, Not):
        terms, depth = condition_size(condition.condition)
        return terms, depth + 1
    return 1, 0
