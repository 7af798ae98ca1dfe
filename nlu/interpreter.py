"""Turn what a resident typed into an `Interpretation` of the question asked.

Minimal placeholder: exact labels and ids, digits, oui/non and yes/no, the command
words. The answer-understanding issue replaces it with the full parsers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from nlu.interpretation import Answer, Command, CommandName, Interpretation, Reject
from nlu.question import QuestionSpec

_COMMANDS: dict[str, CommandName] = {
    "aide": "help",
    "help": "help",
    "stop": "stop",
    "pause": "stop",
    "recommencer": "restart",
    "restart": "restart",
    "retour": "back",
    "back": "back",
    "passer": "skip",
    "skip": "skip",
    "supprimer mes données": "delete_data",
    "delete my data": "delete_data",
    "humain": "human",
    "human": "human",
}
_YES = {"oui", "yes", "o", "y", "ok", "d'accord"}
_NO = {"non", "no", "n"}


class Interpreter:
    """Interprets messages; holds its data, read once at construction."""

    def __init__(self, *, region: str = "24", extra_training: Sequence[str] = ()) -> None:
        self.region = region
        self.extra_training = tuple(extra_training)

    def interpret(
        self, text: str, question: QuestionSpec, lang: str, today: dt.date
    ) -> Interpretation:
        stripped = text.strip()
        key = stripped.lower().lstrip("/")
        if key in _COMMANDS:
            return Command(_COMMANDS[key])
        if not stripped:
            return Reject("empty")
        kind = question.kind
        if kind == "yes_no":
            if key in _YES:
                return Answer(True)
            if key in _NO:
                return Answer(False)
            return Reject("not_understood")
        if kind in ("choice", "multi_choice"):
            for choice in question.choices:
                if key == choice.id or key in (n.lower() for n in choice.names):
                    return Answer(choice.id if kind == "choice" else (choice.id,))
            return Reject("not_understood")
        if kind in ("number", "scale"):
            if not re.fullmatch(r"-?\d{1,9}", key):
                return Reject("not_understood")
            value = int(key)
            low, high = question.min, question.max
            if (low is not None and value < low) or (high is not None and value > high):
                return Reject("out_of_range")
            return Answer(value)
        if kind == "postal_code":
            match = re.fullmatch(r"(\d{2}) ?(\d{3})", key)
            return Answer(match[1] + match[2]) if match else Reject("not_understood")
        if kind == "date":
            try:
                return Answer(dt.date.fromisoformat(key).isoformat())
            except ValueError:
                return Reject("not_understood")
        if kind == "commune":
            return Reject("unknown_commune")
        if question.max_length is not None and len(stripped) > question.max_length:
            return Reject("too_long")
        return Answer(stripped)
