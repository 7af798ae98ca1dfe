"""The console: moderation decisions (who, reason, note, hold), erased answer
ids, audit records that name who did what to which item.

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PENDING = "moderation_status = 'pending' AND superseded_at IS NULL"


def _id(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False)


def upgrade() -> None:
    for column in (
        sa.Column("moderated_by", sa.String(254), nullable=True),
        sa.Column("rejection_reason", sa.String(64), nullable=True),
        sa.Column("moderation_note", sa.Text(), nullable=True),
        sa.Column("held_by", sa.String(254), nullable=True),
        sa.Column("held_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("personal_data", sa.Boolean(), nullable=True),
    ):
        op.add_column("answers", column)
    op.create_index(
        "ix_answers_pending",
        "answers",
        ["id"],
        sqlite_where=sa.text(_PENDING),
        postgresql_where=sa.text(_PENDING),
    )
    op.create_table(
        "erased_answers",
        sa.Column(
            "answer_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("answer_id", name="pk_erased_answers"),
    )
    for column in (
        sa.Column("actor", sa.String(254), nullable=True),
        sa.Column("subject", sa.String(128), nullable=True),
        sa.Column("state_before", sa.String(64), nullable=True),
        sa.Column("state_after", sa.String(64), nullable=True),
    ):
        op.add_column("audit_records", column)
    op.create_index("ix_audit_records_at", "audit_records", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_records_at", table_name="audit_records")
    with op.batch_alter_table("audit_records") as batch:
        for name in ("state_after", "state_before", "subject", "actor"):
            batch.drop_column(name)
    op.drop_table("erased_answers")
    op.drop_index("ix_answers_pending", table_name="answers")
    with op.batch_alter_table("answers") as batch:
        for name in (
            "personal_data",
            "held_until",
            "held_by",
            "moderation_note",
            "rejection_reason",
            "moderated_by",
        ):
            batch.drop_column(name)
