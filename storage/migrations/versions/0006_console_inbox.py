"""The console's inbox of residents who asked for a person: the saved replies
an admin keeps. The review queue's indexes: one per decided status and one
for "contains personal data" (partial, like ix_answers_pending); the index on
moderation_status alone goes (three values: SQLite's planner chose it over
the partial indexes and scanned every pending answer).

Revision ID: 0006
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_PENDING_PERSONAL = (
    "moderation_status = 'pending' AND superseded_at IS NULL AND personal_data = true"
)
_DECIDED = "moderation_status = '{}' AND superseded_at IS NULL"


def _partial(name: str, where: str) -> None:
    op.create_index(
        name,
        "answers",
        ["id"],
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def upgrade() -> None:
    op.drop_index("ix_answers_moderation_status", table_name="answers")
    _partial("ix_answers_pending_personal", _PENDING_PERSONAL)
    _partial("ix_answers_approved", _DECIDED.format("approved"))
    _partial("ix_answers_rejected", _DECIDED.format("rejected"))
    op.create_table(
        "saved_replies",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(254), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_saved_replies"),
    )
    op.create_index("ix_saved_replies_language_title", "saved_replies", ["language", "title"])


def downgrade() -> None:
    for name in ("ix_answers_rejected", "ix_answers_approved", "ix_answers_pending_personal"):
        op.drop_index(name, table_name="answers")
    op.create_index("ix_answers_moderation_status", "answers", ["moderation_status"])
    op.drop_index("ix_saved_replies_language_title", table_name="saved_replies")
    op.drop_table("saved_replies")
