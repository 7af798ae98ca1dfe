"""`openings` counts in shards: a new column `shard` in its primary key.

Every newcomer's first message adds one to the day's counter of its
consultation, channel and source, in the message's transaction: with one row
per counter, newcomers arriving together took turns on that row, each holding
its lock until its COMMIT (under bench/load.py on PostgreSQL the statement
waited 1.7 ms on average), and across several processes or machines that wait
grows with the round trip to the database. A resident's counter is now one of
`storage.openings.SHARDS` rows, chosen by their pseudonym; totals are sums, as
they were. Existing counts stay in shard 0; the downgrade adds the shards up.
A process of the previous version cannot count openings once this has run (its
ON CONFLICT names the former key): its newcomers are asked to send their first
message again until it is restarted (the README's upgrade note).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY = ["consultation_id", "day", "channel", "source"]


def upgrade() -> None:
    with op.batch_alter_table("openings") as batch:
        batch.add_column(sa.Column("shard", sa.SmallInteger(), nullable=False, server_default="0"))
        batch.drop_constraint("pk_openings", type_="primary")
        batch.create_primary_key("pk_openings", [*_KEY, "shard"])
    with op.batch_alter_table("openings") as batch:
        batch.alter_column("shard", server_default=None)  # the application says which


def downgrade() -> None:
    key = ", ".join(_KEY)
    op.execute(
        f"CREATE TABLE openings_added AS SELECT {key}, sum(opened) AS opened "
        f"FROM openings GROUP BY {key}"
    )
    op.execute("DELETE FROM openings")
    op.execute(
        f"INSERT INTO openings ({key}, shard, opened) SELECT {key}, 0, opened FROM openings_added"
    )
    op.drop_table("openings_added")
    with op.batch_alter_table("openings") as batch:
        batch.drop_constraint("pk_openings", type_="primary")
        batch.drop_column("shard")
        batch.create_primary_key("pk_openings", _KEY)
