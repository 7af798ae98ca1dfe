"""The engine feed: commit-ordered outbox positions, contributions, API tokens,
webhook endpoints.

`txid` is the PostgreSQL transaction id that wrote a row (0 on SQLite, whose
single writer commits in id order): the feeds page by (txid, id) and hand out
only rows older than every transaction still in flight, so a row committed late
is never skipped.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _id() -> sa.Column[int]:
    return sa.Column("id", _BIG, nullable=False)


def _time(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _json(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(
        name, sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=nullable
    )


def _txid() -> sa.Column[int]:
    postgres = op.get_bind().dialect.name == "postgresql"
    default = "(pg_current_xact_id()::text::bigint)" if postgres else "0"
    return sa.Column("txid", sa.BigInteger(), server_default=sa.text(default), nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("outbox_events") as batch:
        batch.add_column(_txid())
    op.create_index("ix_outbox_events_txid_id", "outbox_events", ["txid", "id"])
    op.create_table(
        "contributions",
        _id(),
        sa.Column("session_id", _BIG, nullable=False),
        sa.Column("consultation_id", sa.String(64), nullable=False),
        sa.Column("flow_version_id", _BIG, nullable=False),
        sa.Column("participant_id", _BIG, nullable=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("partial", sa.Boolean(), nullable=False),
        sa.Column("pseudonym", sa.String(128), nullable=False),
        _time("completed_at"),
        _txid(),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name="fk_contributions_session_id_sessions"
        ),
        sa.ForeignKeyConstraint(
            ["flow_version_id"],
            ["flow_versions.id"],
            name="fk_contributions_flow_version_id_flow_versions",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_contributions"),
        sa.UniqueConstraint("session_id", name="uq_contributions_session_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_contributions_feed", "contributions", ["consultation_id", "txid", "id"])
    op.create_index("ix_contributions_participant_id", "contributions", ["participant_id"])
    op.create_table(
        "api_tokens",
        _id(),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("token_hash", sa.String(128), nullable=False),
        _json("scopes"),
        _time("created_at"),
        _time("revoked_at", nullable=True),
        _time("last_used_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("name", name="uq_api_tokens_name"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_table(
        "webhook_endpoints",
        _id(),
        sa.Column("url", sa.Text(), nullable=False),
        _json("events"),
        sa.Column("secret", sa.LargeBinary(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("cursor_txid", sa.BigInteger(), nullable=False),
        sa.Column("cursor_id", sa.BigInteger(), nullable=False),
        sa.Column("delivered", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _time("next_attempt_at", nullable=True),
        _time("failing_since", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        _time("lease_until", nullable=True),
        _time("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_endpoints"),
    )


def downgrade() -> None:
    op.drop_table("webhook_endpoints")
    op.drop_table("api_tokens")
    op.drop_table("contributions")
    op.drop_index("ix_outbox_events_txid_id", "outbox_events")
    with op.batch_alter_table("outbox_events") as batch:
        batch.drop_column("txid")
