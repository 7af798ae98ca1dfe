"""Shared fixtures of the nlu tests: `interpret` with the test run's one
interpreter (tests/conftest.py), and a few questions as a flow would describe them."""

import datetime as dt

import pytest

from nlu import ChoiceOption, QuestionSpec

TODAY = dt.date(2026, 6, 15)  # a Monday


def question(kind, choices=(), **bounds) -> QuestionSpec:
    options = tuple(
        ChoiceOption(ident, names if isinstance(names, tuple) else (names,))
        for ident, names in choices
    )
    return QuestionSpec(kind, choices=options, **bounds)


@pytest.fixture(scope="session")
def interpret(interpreter):
    def run(text, spec, lang="fr", today=TODAY):
        return interpreter.interpret(text, spec, lang, today)

    return run
