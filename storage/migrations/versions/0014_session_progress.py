"""What the results count of a session, in columns of its own: the
conversation's language, the question it is at and the questions skipped,
copied from the state JSON whenever it is written (storage.sessions), so that
the results page does not read every session's state.

Revision ID: 0014
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("language", sa.String(16), nullable=True))
        batch.add_column(sa.Column("question_id", sa.String(64), nullable=True))
        batch.add_column(
            sa.Column(
                "skipped", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
            )
        )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "UPDATE sessions SET language = json_extract(state, '$.language'), "
            "question_id = json_extract(state, '$.question_id'), "
            "skipped = json_extract(state, '$.skipped')"
        )
    else:
        op.execute(
            "UPDATE sessions SET language = state ->> 'language', "
            "question_id = state ->> 'question_id', skipped = state -> 'skipped'"
        )


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("skipped")
        batch.drop_column("question_id")
        batch.drop_column("language")
