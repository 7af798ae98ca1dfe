"""Initial schema: participants, consultations and flow versions, sessions,
transcripts, answers with moderation, processed inbound ids, outbox, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False)


def _ref(name: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=nullable)


def _time(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _json(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(
        name, sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=nullable
    )


def _partial_index(name: str, table: str, columns: list[str], where: str, unique: bool) -> None:
    op.create_index(
        name,
        table,
        columns,
        unique=unique,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def upgrade() -> None:
    op.create_table(
        "participants",
        _id(),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("user_hash", sa.String(128), nullable=False),
        sa.Column("language", sa.String(16), nullable=True),
        _time("consented_at", nullable=True),
        sa.Column("reachable", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("address", sa.LargeBinary(), nullable=True),
        _time("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_participants"),
        sa.UniqueConstraint("channel", "user_hash", name="uq_participants_channel_user_hash"),
    )
    op.create_table(
        "consultations",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        _time("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_consultations"),
    )
    op.create_table(
        "flow_versions",
        _id(),
        sa.Column("consultation_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("checksum", sa.String(128), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("deployed_by", sa.String(128), nullable=False),
        _time("deployed_at"),
        sa.Column("live", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name="fk_flow_versions_consultation_id_consultations",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_flow_versions"),
        sa.UniqueConstraint(
            "consultation_id", "version", name="uq_flow_versions_consultation_id_version"
        ),
    )
    _partial_index("uq_flow_versions_live", "flow_versions", ["consultation_id"], "live", True)
    op.create_table(
        "sessions",
        _id(),
        _ref("participant_id", nullable=True),
        _ref("flow_version_id"),
        _json("state"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("human_requested", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        _time("last_activity_at"),
        sa.CheckConstraint(
            "status IN ('active', 'paused', 'completed', 'abandoned', 'expired')",
            name="ck_sessions_status",
        ),
        sa.ForeignKeyConstraint(
            ["flow_version_id"],
            ["flow_versions.id"],
            name="fk_sessions_flow_version_id_flow_versions",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participants.id"], name="fk_sessions_participant_id_participants"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
    )
    op.create_index("ix_sessions_participant_id", "sessions", ["participant_id"])
    op.create_index("ix_sessions_flow_version_id", "sessions", ["flow_version_id"])
    _partial_index(
        "uq_sessions_open_participant",
        "sessions",
        ["participant_id"],
        "status IN ('active', 'paused')",
        True,
    )
    op.create_table(
        "transcript_lines",
        _id(),
        _ref("session_id"),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _json("buttons", nullable=True),
        sa.Column("platform_message_id", sa.String(128), nullable=True),
        _json("interpretation", nullable=True),
        _time("at"),
        sa.CheckConstraint("direction IN ('in', 'out')", name="ck_transcript_lines_direction"),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name="fk_transcript_lines_session_id_sessions"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_transcript_lines"),
    )
    op.create_index("ix_transcript_lines_session_id", "transcript_lines", ["session_id"])
    op.create_index("ix_transcript_lines_at", "transcript_lines", ["at"])
    op.create_table(
        "answers",
        _id(),
        _ref("session_id"),
        sa.Column("question_id", sa.String(64), nullable=False),
        _json("value"),
        sa.Column("raw_text", sa.Text(), nullable=True),
        sa.Column("question_text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        _time("answered_at"),
        _time("superseded_at", nullable=True),
        sa.Column("moderation_status", sa.String(16), nullable=True),
        sa.Column("redacted_text", sa.Text(), nullable=True),
        _json("tags", nullable=True),
        _time("moderated_at", nullable=True),
        sa.CheckConstraint(
            "moderation_status IS NULL OR moderation_status IN ('pending', 'approved', 'rejected')",
            name="ck_answers_moderation_status",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name="fk_answers_session_id_sessions"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_answers"),
    )
    op.create_index("ix_answers_session_id", "answers", ["session_id"])
    op.create_index("ix_answers_moderation_status", "answers", ["moderation_status"])
    _partial_index(
        "uq_answers_current",
        "answers",
        ["session_id", "question_id"],
        "superseded_at IS NULL",
        True,
    )
    op.create_table(
        "processed_inbound",
        _id(),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("user_hash", sa.String(128), nullable=False),
        sa.Column("message_id", sa.String(128), nullable=False),
        _json("replies", nullable=True),
        _time("received_at"),
        sa.PrimaryKeyConstraint("id", name="pk_processed_inbound"),
        sa.UniqueConstraint(
            "channel",
            "user_hash",
            "message_id",
            name="uq_processed_inbound_channel_user_hash_message_id",
        ),
    )
    op.create_index("ix_processed_inbound_received_at", "processed_inbound", ["received_at"])
    op.create_table(
        "outbox_events",
        _id(),
        sa.Column("type", sa.String(64), nullable=False),
        _json("payload"),
        _ref("participant_id", nullable=True),
        _time("created_at"),
        _time("delivered_at", nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        _time("last_attempt_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_events"),
    )
    op.create_index("ix_outbox_events_participant_id", "outbox_events", ["participant_id"])
    _partial_index(
        "ix_outbox_events_pending", "outbox_events", ["id"], "delivered_at IS NULL", False
    )
    op.create_table(
        "audit_records",
        _id(),
        _time("at"),
        sa.Column("action", sa.String(64), nullable=False),
        _json("counts"),
        _json("details", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_records"),
    )


def downgrade() -> None:
    # Children before parents; indexes go with their tables.
    for table in (
        "audit_records",
        "outbox_events",
        "processed_inbound",
        "answers",
        "transcript_lines",
        "sessions",
        "flow_versions",
        "consultations",
        "participants",
    ):
        op.drop_table(table)
