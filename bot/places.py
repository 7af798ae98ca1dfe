"""Where a resident lives, for the results' département filter: the
département of their first place answer (a postal code or commune question)
in the flow's order, as their conversation's state holds it.

First in the flow's order, not last answered: a flow asks where the resident
lives before other places (the lycées flow: the postal code, else the home
commune, then the school's commune), and a changed answer to a later place
question must not move the resident. A changed or withdrawn answer changes the
state, so the département written with it follows (storage.sessions.save).
"""

from __future__ import annotations

from flows.model import Flow
from flows.state import SessionState
from storage.departements import departement_of

PLACE_TYPES = frozenset({"postal_code", "commune"})


def resident_departement(flow: Flow, state: SessionState) -> str | None:
    """The département of the first place question answered, or None."""
    if not state.answers:
        return None
    answered = dict(state.answers)
    for question in flow.questions:
        if question.type in PLACE_TYPES:
            value = answered.get(question.id)
            if isinstance(value, str) and value:
                return departement_of(value)
    return None
