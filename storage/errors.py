"""Errors the person running consultbot can cause in storage (unreachable
database, migrations out of date); str() says what to do."""


class StorageError(Exception):
    """The database cannot be used as configured."""
