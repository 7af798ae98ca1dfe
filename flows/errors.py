"""Errors an organizer can cause with a flow file.

`FlowError` is the base; `FlowValidationError` carries every problem found in
one file (`FlowProblem`: file, line, question id, message, hint), so the CLI
lists them all at once. `CatalogueError` does the same for the text catalogue
(`flows.catalogue`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class FlowError(Exception):
    """A flow file cannot be used; str(error) is a message a person can act on."""


@dataclass(frozen=True, slots=True)
class FlowProblem:
    file: str
    line: int | None
    question_id: str | None
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.question_id:
            where += f" (question {self.question_id})"
        text = f"{where}: {self.message}"
        return f"{text}. Hint: {self.hint}" if self.hint else text


class CatalogueError(FlowError):
    """The text catalogue (flows/texts) is incomplete or malformed; the message
    lists every problem."""

    def __init__(self, problems: Sequence[FlowProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in problems))


class FlowValidationError(FlowError):
    def __init__(self, problems: list[FlowProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in problems))
