"""Opening and closing dates set in the console: when `dates_changed_at` is
set, `opens` and `closes` (either may be empty: no limit) apply to every
version of the consultation, conversations in progress included, instead of
the flow file's; deploying a new version clears them.

Revision ID: 0012
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("consultations") as batch:
        batch.add_column(sa.Column("opens", sa.Date(), nullable=True))
        batch.add_column(sa.Column("closes", sa.Date(), nullable=True))
        batch.add_column(sa.Column("dates_changed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("consultations") as batch:
        batch.drop_column("dates_changed_at")
        batch.drop_column("closes")
        batch.drop_column("opens")
