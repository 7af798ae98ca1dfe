"""The real interpreter takes seconds to build: in-process simulations share one."""

import functools

import pytest

import nlu

RealInterpreter = nlu.Interpreter


@functools.cache
def _shared() -> nlu.Interpreter:
    return RealInterpreter()


@pytest.fixture(autouse=True)
def shared_interpreter(monkeypatch):
    def interpreter(*args, **kwargs):
        return _shared() if not args and not kwargs else RealInterpreter(*args, **kwargs)

    monkeypatch.setattr(nlu, "Interpreter", interpreter)
