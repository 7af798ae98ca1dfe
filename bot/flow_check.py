"""Checking a flow file, with what `consultbot flows validate` reports for it:
every problem with its line, or a one-line summary, notes and warnings. The command line
and the console's flow pages both use it, so they say the same thing."""

from __future__ import annotations

from dataclasses import dataclass

from flows.errors import FlowProblem, FlowValidationError
from flows.loader import flow_text, parse_flow_with_warnings
from flows.model import Flow


@dataclass(frozen=True, slots=True)
class FlowCheck:
    source: str
    text: str | None  # None: the bytes were not a flow file's text (binary, too large...)
    flow: Flow | None  # None: the flow has problems
    problems: tuple[FlowProblem, ...] = ()
    notes: tuple[str, ...] = ()
    # Of a valid flow: synonyms that will misfire (flows.synonym_checks), with lines.
    warnings: tuple[FlowProblem, ...] = ()

    @property
    def summary(self) -> str:
        if self.flow is None:
            count = len(self.problems)
            return f"{self.source}: {count} problem{'s' if count > 1 else ''}"
        flow = self.flow
        return (
            f"{self.source}: ok: '{flow.id}', {len(flow.questions)} questions,"
            f" in {', '.join(flow.languages)}"
        )


def check_bytes(raw: bytes, source: str) -> FlowCheck:
    """A flow file's bytes (at most MAX_FILE_BYTES + 1 of them read) checked."""
    try:
        text = flow_text(raw, source)
    except FlowValidationError as error:
        return FlowCheck(source, None, None, error.problems)
    return check_text(text, source)


def check_text(text: str, source: str) -> FlowCheck:
    """Every problem of a flow's text, or the flow with its notes."""
    try:
        flow, warnings = parse_flow_with_warnings(text, source)
    except FlowValidationError as error:
        return FlowCheck(source, text, None, error.problems)
    return FlowCheck(source, text, flow, notes=catalogue_notes(flow, source), warnings=warnings)


def catalogue_notes(flow: Flow, source: str) -> tuple[str, ...]:
    """The flow's languages the bot's own texts (flows/texts) do not speak."""
    from flows.catalogue import CATALOGUE

    return tuple(
        f"{source}: note: the text catalogue has no '{lang}' (flows/texts/{lang}.yml):"
        f" the bot's own texts will be in {CATALOGUE.languages[0]} for it"
        for lang in flow.languages
        if lang not in CATALOGUE.languages
    )
