"""The résident's département, in a column of their session: the results
filtered by département read it (with an index) instead of looking through
every session's answers.

It is the département of the first place question (postal_code or commune)
of the session's flow version, in the flow's order, that has a current
answer (bot.places; storage.departements for the rule, copied here in SQL as
migrations keep their own). Existing sessions are filled from their stored
answers, a range of session ids at a time per flow version, so that no
statement works through the whole table at once.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import yaml
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 20_000  # session ids per UPDATE
PLACE_TYPES = ("postal_code", "commune")


def upgrade() -> None:
    op.add_column("sessions", sa.Column("departement", sa.String(3), nullable=True))
    bind = op.get_bind()
    code = "json_extract(a.value, '$')" if bind.dialect.name == "sqlite" else "(a.value #>> '{}')"
    # 97x, 98x: three characters; Corsica's postal codes 200xx-201xx are 2A,
    # its other ones 2B (its INSEE codes start with 2A or 2B already).
    departement = (
        f"CASE WHEN substr({code}, 1, 2) IN ('97', '98') THEN substr({code}, 1, 3) "
        f"WHEN substr({code}, 1, 3) IN ('200', '201') THEN '2A' "
        f"WHEN substr({code}, 1, 2) = '20' THEN '2B' "
        f"ELSE substr({code}, 1, 2) END"
    )
    versions = bind.execute(sa.text("SELECT id, definition FROM flow_versions ORDER BY id"))
    for version_id, definition in versions.all():
        places = _places(definition)
        if not places:
            continue
        names = {f"q{i}": q for i, q in enumerate(places)}
        listed = ", ".join(f":{name}" for name in names)
        rank = " ".join(f"WHEN :{name} THEN {i}" for i, name in enumerate(names))
        fill = sa.text(
            f"UPDATE sessions SET departement = (SELECT {departement} FROM answers a "
            "WHERE a.session_id = sessions.id AND a.superseded_at IS NULL "
            f"AND a.question_id IN ({listed}) "
            f"ORDER BY CASE a.question_id {rank} END LIMIT 1) "
            "WHERE flow_version_id = :v AND id >= :low AND id < :high"
        )
        low, high = bind.execute(
            sa.text("SELECT MIN(id), MAX(id) FROM sessions WHERE flow_version_id = :v"),
            {"v": version_id},
        ).one()
        if low is None:
            continue
        for start in range(int(low), int(high) + 1, BATCH):
            bind.execute(fill, {**names, "v": version_id, "low": start, "high": start + BATCH})
    # After the filling: an index kept up to date row by row would slow it.
    op.create_index("ix_sessions_departement", "sessions", ["flow_version_id", "departement"])
    # The planner's statistics learn the new column (else it guesses how many
    # residents a département has, and may pick a slow plan for the results).
    op.execute("ANALYZE sessions")


def _places(definition: str) -> list[str]:
    """The ids of a flow file's place questions, in order (none if it cannot
    be read: a flow stored by an older version is still YAML)."""
    try:
        document: Any = yaml.safe_load(definition)
    except yaml.YAMLError:
        return []
    questions = document.get("questions") if isinstance(document, dict) else None
    if not isinstance(questions, list):
        return []
    return [
        str(item["id"])
        for item in questions
        if isinstance(item, dict) and item.get("type") in PLACE_TYPES and item.get("id")
    ]


def downgrade() -> None:
    op.drop_index("ix_sessions_departement", table_name="sessions")
    op.drop_column("sessions", "departement")
