"""`consultbot_unchanged`: the guard of a resident's message written without a
transaction of its own (storage.write_batch). Such a message reads its session
without a lock, then writes everything in one statement, which runs as its own
transaction; the statement's UPDATE of the session names the row version it
read (`xmin`), and this function, called on the count of rows that UPDATE
changed, fails the statement when it is 0: another message or the console
changed the session meanwhile, and nothing of the statement is kept
(serialization_failure, SQLSTATE 40001: the message is handled again). Nothing
on SQLite, whose transactions never overlap.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FUNCTION = """
CREATE FUNCTION consultbot_unchanged(p_updated bigint) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $body$
BEGIN
    IF p_updated = 0 THEN
        RAISE EXCEPTION 'the session changed since the message read it'
            USING ERRCODE = 'serialization_failure';
    END IF;
    RETURN 1;
END
$body$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION consultbot_unchanged(bigint)")
