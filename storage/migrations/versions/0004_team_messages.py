"""Messages from the consultation team to residents, and the handling of
residents' requests for a person.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HUMAN_WAITING = "human_requested_at IS NOT NULL AND human_handled_at IS NULL"
_MESSAGE_WAITING = "state <> 'delivered'"


def _id(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("sessions") as table:
        table.add_column(sa.Column("human_requested_at", sa.DateTime(timezone=True)))
        table.add_column(sa.Column("human_handled_at", sa.DateTime(timezone=True)))
        table.add_column(sa.Column("human_handled_by", sa.String(128)))
    # Requests made before this revision: their time is not known any better.
    op.execute("UPDATE sessions SET human_requested_at = updated_at WHERE human_requested")
    op.create_index(
        "ix_sessions_human_waiting",
        "sessions",
        ["human_requested_at"],
        sqlite_where=sa.text(_HUMAN_WAITING),
        postgresql_where=sa.text(_HUMAN_WAITING),
    )
    with op.batch_alter_table("transcript_lines") as table:
        table.add_column(
            sa.Column("from_team", sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )
    op.create_table(
        "team_messages",
        _id("id"),
        _id("session_id"),
        _id("participant_id"),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('queued', 'delivered', 'unreachable')", name="ck_team_messages_state"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name="fk_team_messages_session_id_sessions"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_team_messages_participant_id_participants",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_team_messages"),
    )
    op.create_index("ix_team_messages_session_id", "team_messages", ["session_id"])
    op.create_index(
        "ix_team_messages_waiting",
        "team_messages",
        ["participant_id"],
        sqlite_where=sa.text(_MESSAGE_WAITING),
        postgresql_where=sa.text(_MESSAGE_WAITING),
    )


def downgrade() -> None:
    op.drop_table("team_messages")
    with op.batch_alter_table("transcript_lines") as table:
        table.drop_column("from_team")
    op.drop_index("ix_sessions_human_waiting", table_name="sessions")
    with op.batch_alter_table("sessions") as table:
        table.drop_column("human_handled_by")
        table.drop_column("human_handled_at")
        table.drop_column("human_requested_at")
