"""The flow as `consultbot flows show` prints it for an organizer."""

from pathlib import Path

from bot.flow_preview import FlowPrinter
from flows.loader import load_flow

LYCEES = Path(__file__).parents[2] / "flows" / "examples" / "lycees.yml"


def test_a_duration_says_what_it_counts():
    flow = load_flow(LYCEES)
    shown = FlowPrinter(flow, flow.languages).render()
    assert "5. [travel_minutes] a number of minutes from 0 to 240" in shown
