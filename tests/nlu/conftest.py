"""One interpreter for the nlu tests: building it reads the bundled data."""

import pytest

from nlu import Interpreter


@pytest.fixture(scope="session")
def interpreter() -> Interpreter:
    return Interpreter()
