"""Follow-ups: residents who asked to hear what became of a consultation, and
the news organizers send them (each resident's copy is a team message).

Revision ID: 0011
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "follow_up_consents",
        sa.Column("participant_id", _BIG, nullable=False),
        sa.Column("consultation_id", sa.String(64), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_follow_up_consents_participant_id_participants",
        ),
        sa.PrimaryKeyConstraint("participant_id", "consultation_id", name="pk_follow_up_consents"),
    )
    op.create_table(
        "follow_ups",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("consultation_id", sa.String(64), nullable=False),
        sa.Column(
            "texts", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_follow_ups"),
    )
    op.create_index("ix_follow_ups_consultation_id", "follow_ups", ["consultation_id"])
    with op.batch_alter_table("team_messages") as batch:
        batch.add_column(sa.Column("follow_up_id", _BIG, nullable=True))
        batch.create_foreign_key(
            "fk_team_messages_follow_up_id_follow_ups", "follow_ups", ["follow_up_id"], ["id"]
        )
        batch.create_index("ix_team_messages_follow_up_id", ["follow_up_id"])


def downgrade() -> None:
    with op.batch_alter_table("team_messages") as batch:
        batch.drop_index("ix_team_messages_follow_up_id")
        batch.drop_constraint("fk_team_messages_follow_up_id_follow_ups", type_="foreignkey")
        batch.drop_column("follow_up_id")
    op.drop_index("ix_follow_ups_consultation_id", table_name="follow_ups")
    op.drop_table("follow_ups")
    op.drop_table("follow_up_consents")
