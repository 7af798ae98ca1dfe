"""Pending answers found to hold no personal data are scanned again: names
("je m'appelle Jean Martin", "Mme Durand", a signature) are personal data since
this version, and an answer scanned before it is marked as holding none, so the
review queue's "contains personal data" filter would miss it. Set back to
unknown (NULL), they are scanned again the next time a moderator filters on it
(`bot.console.decisions.scan_personal_data`). Decided answers are left as they
are: nobody filters them on it.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE answers SET personal_data = NULL "
        "WHERE moderation_status = 'pending' AND personal_data = false"
    )


def downgrade() -> None:
    """Nothing to undo: an answer not yet scanned again is scanned by the
    previous version as well, with what it finds."""
