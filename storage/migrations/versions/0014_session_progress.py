"""What the results count of a session, in columns of its own: the
conversation's language, the question it is at and the questions skipped,
copied from the state JSON whenever it is written (storage.sessions), so that
the results page does not read every session's state; and whether a later
session of the same participant in the same consultation replaced it (the
results count each resident's latest only).

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ALTER TABLE ADD COLUMN, not batch mode: on SQLite, batch mode copies the
    # table, and its DROP fails while other tables' rows refer to sessions.
    for column in (
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("question_id", sa.String(64), nullable=True),
        sa.Column(
            "skipped", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column("replaced", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    ):
        op.add_column("sessions", column)
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
    op.execute(
        "UPDATE sessions SET replaced = true WHERE EXISTS (SELECT 1 FROM sessions later "
        "JOIN flow_versions lv ON lv.id = later.flow_version_id "
        "JOIN flow_versions v ON v.id = sessions.flow_version_id "
        "WHERE later.participant_id = sessions.participant_id "
        "AND lv.consultation_id = v.consultation_id AND later.id > sessions.id)"
    )


def downgrade() -> None:
    for name in ("replaced", "skipped", "question_id", "language"):
        op.drop_column("sessions", name)
