"""Drop `ix_sessions_flow_version_id`: `ix_sessions_departement` begins with
the same column, and serves every lookup by version (the results, the foreign
key from flow_versions) as well. Every index costs each session created, and
each update of a session's indexed columns (its département, its status): one
index less to write, on the path of a resident's message.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_sessions_flow_version_id", table_name="sessions")


def downgrade() -> None:
    op.create_index("ix_sessions_flow_version_id", "sessions", ["flow_version_id"])
