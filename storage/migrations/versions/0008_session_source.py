"""Where a resident came from: the source tag of the link they followed (a
poster's `?src=gare-tours`, a Telegram start parameter), kept with their
session, and with what they chose before consenting until they consent; and
how many residents opened each consultation (counters per day, channel and
source tag, no one in them).

Revision ID: 0008
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("source", sa.String(40), nullable=True))
    with op.batch_alter_table("pre_consent") as batch:
        batch.add_column(sa.Column("source", sa.String(40), nullable=True))
    op.create_table(
        "openings",
        sa.Column("consultation_id", sa.String(64), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("opened", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "consultation_id", "day", "channel", "source", name=op.f("pk_openings")
        ),
    )


def downgrade() -> None:
    op.drop_table("openings")
    with op.batch_alter_table("pre_consent") as batch:
        batch.drop_column("source")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("source")
