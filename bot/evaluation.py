"""The answer-understanding evaluation files (docs/evaluation.md): reading
them, and scoring an interpreter against them.

    report = score(build_interpreter(settings), load_cases(Path("tests/nlu/data/nlu_dev.jsonl")))

One JSON object a line; `load_cases` refuses a bad line with its number
(`EvaluationFileError`). The scoring itself lives in `nlu.evaluation`; this
module adds the file and the clock (the time per case).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.errors import UserError
from nlu import ChoiceOption, Interpreter, QuestionSpec
from nlu.evaluation import REFERENCE_DAY, Case, Outcome, Report, passes
from nlu.question import QuestionKind


class EvaluationFileError(UserError):
    """An evaluation file that cannot be read; the message names the line."""


class _Choice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    label: str


class _RawCase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    lang: Literal["fr", "en"]
    kind: QuestionKind
    text: str
    expected: dict[str, Any]
    choices: list[_Choice] = Field(default_factory=list)
    min: int | None = None
    max: int | None = None

    @model_validator(mode="after")
    def _one_form(self) -> _RawCase:
        if len(self.expected) != 1 or not set(self.expected) <= {"answer", "intent", "reject"}:
            raise ValueError('expected must be exactly one of "answer", "intent" or "reject"')
        return self


def load_cases(path: Path) -> list[Case]:
    """Read and validate an evaluation file; EvaluationFileError names the bad line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise EvaluationFileError(f"{path}: cannot be read ({error})") from None
    cases = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = _RawCase.model_validate(json.loads(line))
        except json.JSONDecodeError as error:
            raise EvaluationFileError(f"{path}:{number}: not valid JSON ({error.msg})") from None
        except ValidationError as error:
            problem = error.errors()[0]
            where = ".".join(str(part) for part in problem["loc"]) or "case"
            raise EvaluationFileError(f"{path}:{number}: {where}: {problem['msg']}") from None
        question = QuestionSpec(
            kind=raw.kind,
            choices=tuple(ChoiceOption(c.id, (c.label,)) for c in raw.choices),
            min=raw.min,
            max=raw.max,
        )
        form, expected = next(iter(raw.expected.items()))
        cases.append(Case(raw.id, raw.lang, question, raw.text, form, expected))
    if not cases:
        raise EvaluationFileError(f"{path}: no cases (one JSON object a line expected)")
    return cases


def score(interpreter: Interpreter, cases: list[Case]) -> Report:
    """Interpret every case, timing each one."""
    outcomes = []
    for case in cases:
        started, started_cpu = time.perf_counter(), time.thread_time()
        got = interpreter.interpret(case.text, case.question, case.lang, REFERENCE_DAY)
        cpu = time.thread_time() - started_cpu
        elapsed = time.perf_counter() - started
        outcomes.append(Outcome(case, got, passes(case, got), elapsed, cpu))
    return Report(tuple(outcomes))
