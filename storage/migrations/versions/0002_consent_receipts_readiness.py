"""Consent and erasure across processes, and a write probe for readiness:
`pre_consent` (what a resident chose before consent, keyed by their hash, with
an expiry), `erasure_receipts` (keyed hashes of erasing messages) and
`readiness_probe` (one row `/readyz` writes).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pre_consent",
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("user_hash", sa.String(128), nullable=False),
        sa.Column("consultation_id", sa.String(64), nullable=False),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column(
            "asked_version_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("asked_by", sa.String(64), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "user_hash", name="pk_pre_consent"),
    )
    op.create_index("ix_pre_consent_expires_at", "pre_consent", ["expires_at"])
    op.create_table(
        "erasure_receipts",
        sa.Column("digest", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest", name="pk_erasure_receipts"),
    )
    op.create_index("ix_erasure_receipts_created_at", "erasure_receipts", ["created_at"])
    op.create_table(
        "readiness_probe",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_readiness_probe"),
    )


def downgrade() -> None:
    op.drop_table("readiness_probe")
    op.drop_index("ix_erasure_receipts_created_at", table_name="erasure_receipts")
    op.drop_table("erasure_receipts")
    op.drop_index("ix_pre_consent_expires_at", table_name="pre_consent")
    op.drop_table("pre_consent")
