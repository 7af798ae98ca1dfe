"""Answer understanding: text + the question being asked -> an interpretation.

Pure: no I/O while interpreting, no clock (today is passed in), no global state.
"""

from nlu.interpretation import (
    COMMAND_NAMES,
    Answer,
    AnswerValue,
    Command,
    CommandName,
    Interpretation,
    Reject,
    RejectReason,
)
from nlu.interpreter import Interpreter
from nlu.question import ChoiceOption, QuestionKind, QuestionSpec

__all__ = [
    "COMMAND_NAMES",
    "Answer",
    "AnswerValue",
    "ChoiceOption",
    "Command",
    "CommandName",
    "Interpretation",
    "Interpreter",
    "QuestionKind",
    "QuestionSpec",
    "Reject",
    "RejectReason",
]
