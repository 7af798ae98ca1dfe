"""The import rules of docs/architecture.md, enforced: layers point down and the pure core
(flows, nlu) imports no I/O library."""

import logging
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold(monkeypatch):
    monkeypatch.chdir(ROOT)
    # import-linter configures logging with disable_existing_loggers: without this,
    # any test run after it (in another order, or a subset) sees no log records.
    loggers = [logging.getLogger(name) for name in logging.root.manager.loggerDict]
    for logger in loggers:
        monkeypatch.setattr(logger, "disabled", logger.disabled)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml")) == 0
