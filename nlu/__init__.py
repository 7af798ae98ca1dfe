"""Answer understanding: text + the question being asked -> an interpretation.

Pure: no I/O while interpreting, no clock (today is passed in), no global state.
"""

from nlu.interpretation import (
    COMMAND_NAMES,
    Answer,
    AnswerValue,
    Candidate,
    Command,
    CommandName,
    Confirm,
    ConfirmReason,
    Interpretation,
    Reject,
    RejectReason,
)
from nlu.interpreter import Interpreter
from nlu.question import ChoiceOption, QuestionKind, QuestionSpec
from nlu.redaction import PersonalData, Redaction, redact
from nlu.training_data import TrainingDataError

__all__ = [
    "COMMAND_NAMES",
    "Answer",
    "AnswerValue",
    "Candidate",
    "ChoiceOption",
    "Command",
    "CommandName",
    "Confirm",
    "ConfirmReason",
    "Interpretation",
    "Interpreter",
    "PersonalData",
    "QuestionKind",
    "QuestionSpec",
    "Redaction",
    "Reject",
    "RejectReason",
    "TrainingDataError",
    "redact",
]
