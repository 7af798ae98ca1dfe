"""Errors the person running consultbot can cause in storage, or that a caller
must handle; str() says what to do.

    StorageError            the database cannot be used as configured
    ├── DatabaseUnavailable  cannot connect: wrong URL, server down, no such database
    ├── DatabaseBusy         locked by another writer, or a transient conflict:
    │   │                    retry the whole transaction in a moment
    │   ├── Conflict         a concurrent transaction wrote the same unique row
    │   └── TransactionNeeded  work begun without a transaction needs one
    ├── DatabaseFull         no space left: nothing was written
    ├── DatabaseReadOnly     the database takes no writes: nothing was written
    ├── DatabaseTimedOut     a statement ran past the database's time limit, or
    │                        was cancelled: nothing was written, not retried
    ├── SchemaOutOfDate      migrations not applied: run `consultbot db upgrade`
    ├── NotFound             a row the caller named does not exist
    └── InvalidModeration    a moderation request the caller must correct
                             (no reason, empty text, too many tags, a search too long)
"""


class StorageError(Exception):
    """The database cannot be used as configured."""


class DatabaseUnavailable(StorageError):
    """The database cannot be reached or opened."""


class DatabaseBusy(StorageError):
    """The database is locked or a concurrent transaction conflicted; nothing was
    written, and the same transaction may be retried."""


class Conflict(DatabaseBusy):
    """A unique constraint refused the write, typically because another process
    wrote the same row at the same time (e.g. created the same participant);
    nothing was written, and retrying the transaction sees that row."""


class TransactionNeeded(DatabaseBusy):
    """Work begun without a transaction of its own (a resident's message on
    PostgreSQL, storage.message_open) went beyond what it can do without one;
    nothing was written, and the same work is to be done again in a
    transaction (`Database.transaction()` without `optimistic`)."""


class DatabaseFull(StorageError):
    """The disk or the database is full; nothing was written."""


class DatabaseReadOnly(StorageError):
    """The database takes no writes (a read-only file, a PostgreSQL standby or a
    database set read-only); nothing was written."""


class DatabaseTimedOut(StorageError):
    """PostgreSQL cancelled a statement: it ran longer than `statement_timeout`
    or waited for a lock longer than `lock_timeout` (set for the role or the
    database), or an administrator cancelled it. Nothing was written. Not a
    DatabaseBusy: done again at once it would wait as long again, and the
    resident would wait for all the tries."""


class SchemaOutOfDate(StorageError):
    """The database schema is not at the revision this version expects."""


class NotFound(StorageError):
    """A row named by the caller does not exist."""


class InvalidModeration(StorageError):
    """A moderation request that cannot be carried out as given; nothing was written."""
