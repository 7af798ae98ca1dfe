"""What a resident's message read with no transaction begun, which its writes
must name (storage.write_batch, storage.message_open): the row version of the
session read, or, for someone not enrolled, their note's and the ids reserved
for them should they consent now. Kept with the session's held writes (its
`Batch`); None elsewhere (SQLite, a transaction begun at once).

    version = as_read.unchanged_version(session, session_id)   # sessions.save
    read = as_read.newcomer_read(session, channel, user_hash)  # pre_consent.keep
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.prepared import BATCH
from storage.write_batch import Batch, Newcomer


def unchanged_version(session: AsyncSession, session_id: int) -> str | None:
    """The row version of session `session_id` read with no transaction begun,
    which its UPDATE must name (storage.write_batch); None otherwise."""
    batch = session.info.get(BATCH)
    if batch is None or batch.begun or batch.unchanged is None:
        return None
    read_id, version = batch.unchanged
    return version if read_id == session_id else None


def newcomer_read(session: AsyncSession, channel: str, user_hash: str) -> Newcomer | None:
    """Someone not enrolled as their message read them with no transaction
    begun (storage.message_open), whose note's write must name what was read
    (storage.write_batch); None otherwise."""
    batch = session.info.get(BATCH)
    if batch is None or batch.begun:
        return None
    return _newcomer(batch, channel, user_hash)


def reserved_ids(session: AsyncSession, channel: str, user_hash: str) -> tuple[int, int] | None:
    """The participant and session ids reserved for this newcomer by the read
    of their message (storage.message_open), if any; theirs whether or not a
    transaction was begun since."""
    batch = session.info.get(BATCH)
    read = None if batch is None else _newcomer(batch, channel, user_hash)
    return None if read is None else read.reserved


def reserved_session_id(session: AsyncSession, participant_id: int) -> int | None:
    """The session id reserved with the participant id `participant_id`
    (`reserved_ids`), if it was: their first session's."""
    batch = session.info.get(BATCH)
    read = None if batch is None else batch.newcomer
    reserved = None if read is None else read.reserved
    return reserved[1] if reserved is not None and reserved[0] == participant_id else None


def _newcomer(batch: Batch, channel: str, user_hash: str) -> Newcomer | None:
    read = batch.newcomer
    if read is None or (read.channel, read.user_hash) != (channel, user_hash):
        return None
    return read
