"""Errors a user of the bot can cause (bad config, bad command-line use).

Each package has its own base (`flows.errors.FlowError`, `storage.errors.StorageError`,
...); the CLI catches those listed in `bot.cli.USER_ERRORS` and prints the message
alone, never a traceback.
"""


class UserError(Exception):
    """Something the person running consultbot can fix; str() says how."""


class ConfigError(UserError):
    """A setting in config.yml or the environment is missing or wrong."""
