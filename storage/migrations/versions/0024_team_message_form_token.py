"""`team_messages.form_token`: the one-time token of the console's reply form
that sent a message, unique, so that the same form sent twice (a double click,
a resubmission) queues one message and the resident reads it once. Messages
sent from elsewhere (the command line, follow-ups) have none.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("team_messages", sa.Column("form_token", sa.String(64), nullable=True))
    op.create_index("uq_team_messages_form_token", "team_messages", ["form_token"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_team_messages_form_token", table_name="team_messages")
    with op.batch_alter_table("team_messages") as batch:
        batch.drop_column("form_token")
