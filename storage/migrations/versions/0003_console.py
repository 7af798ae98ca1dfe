"""The console: moderation decisions (who, reason, note, hold), erased answer
ids, audit records that name who did what to which item.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PENDING = "moderation_status = 'pending' AND superseded_at IS NULL"
_UNSCANNED = "moderation_status = 'pending' AND personal_data IS NULL"


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
    op.create_index(
        "ix_answers_pending_question",
        "answers",
        ["question_id", "id"],
        sqlite_where=sa.text(_PENDING),
        postgresql_where=sa.text(_PENDING),
    )
    op.create_index(
        "ix_answers_unscanned",
        "answers",
        ["id"],
        sqlite_where=sa.text(_UNSCANNED),
        postgresql_where=sa.text(_UNSCANNED),
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
    _console_tables()


def _console_tables() -> None:
    op.create_table(
        "console_users",
        _id("id"),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=True),
        sa.Column("totp_secret", sa.LargeBinary(), nullable=True),
        sa.Column(
            "consultations",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=True,
        ),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('moderator', 'organizer', 'admin')", name="ck_console_users_role"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_console_users"),
        sa.UniqueConstraint("email", name="uq_console_users_email"),
    )
    op.create_table(
        "console_links",
        sa.Column("token_hash", sa.String(64), nullable=False),
        _id("user_id"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["console_users.id"], name="fk_console_links_user_id_console_users"
        ),
        sa.PrimaryKeyConstraint("token_hash", name="pk_console_links"),
    )
    op.create_index("ix_console_links_user_id", "console_links", ["user_id"])
    op.create_table(
        "console_sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        _id("user_id"),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["console_users.id"], name="fk_console_sessions_user_id_console_users"
        ),
        sa.PrimaryKeyConstraint("id_hash", name="pk_console_sessions"),
    )
    op.create_index("ix_console_sessions_user_id", "console_sessions", ["user_id"])
    op.create_table(
        "login_failures",
        _id("id"),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_failures"),
    )
    op.create_index("ix_login_failures_key_at", "login_failures", ["key", "at"])


def downgrade() -> None:
    for table in ("login_failures", "console_sessions", "console_links", "console_users"):
        op.drop_table(table)
    op.drop_index("ix_audit_records_at", table_name="audit_records")
    with op.batch_alter_table("audit_records") as batch:
        for name in ("state_after", "state_before", "subject", "actor"):
            batch.drop_column(name)
    op.drop_table("erased_answers")
    op.drop_index("ix_answers_unscanned", table_name="answers")
    op.drop_index("ix_answers_pending_question", table_name="answers")
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
