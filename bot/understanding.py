"""Building the answer interpreter from the settings (bundled training data plus
the deployment's own files)."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.errors import ConfigError
from nlu import Interpreter
from nlu.training_data import TrainingDataError


def build_interpreter(settings: Settings) -> Interpreter:
    """The interpreter with the bundled training data plus the configured files."""
    texts = []
    for path in settings.nlu.training_files:
        try:
            texts.append(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(
                f"nlu.training_files: cannot read {path} ({error}); fix the path or remove it"
            ) from None
    try:
        return Interpreter(region=settings.region, extra_training=texts)
    except TrainingDataError as error:
        raise ConfigError(f"nlu.training_files: {error}") from None
