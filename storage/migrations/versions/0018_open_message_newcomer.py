"""`consultbot_open_message` locks a newcomer itself: for someone with no
participant row (nothing to lock by row), it locks their pseudonym until the
transaction ends and looks for them again, as the application did in two more
round trips (a lock, then the function again) on each message before consent.
Two processes taking one newcomer's first messages at once still take turns,
the second seeing what the first committed. The lock is the one the
application took (the same key and seed), so a process of the previous
version and one of this version exclude each other too. Otherwise the function
is 0017's. Nothing on SQLite, whose transactions never overlap.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

from __future__ import annotations

import importlib.util
import textwrap
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _revision_0017() -> ModuleType:
    path = Path(__file__).with_name("0017_open_message.py")
    spec = importlib.util.spec_from_file_location("consultbot_migration_0017", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_0017: str = _revision_0017()._FUNCTION
# 0017's participant look-up (step 1), run again once the pseudonym is locked.
_FIND_PARTICIPANT = _0017[_0017.index("    SELECT p.id") : _0017.index("FOR UPDATE OF p;") + 16]
_NOT_ENROLLED = """    IF o_participant_id IS NULL THEN
        RETURN;  -- not enrolled: nothing to claim or lock by row
    END IF;"""
_NEWCOMER = f"""    IF o_participant_id IS NULL THEN
        -- Not enrolled: no row to lock. Their pseudonym is locked instead, until
        -- the transaction ends, and looked for again: a transaction that held
        -- the lock may have enrolled them meanwhile.
        PERFORM pg_advisory_xact_lock(
            hashtextextended(p_channel || ':' || p_user_hash, {0x636F6E73}));
{textwrap.indent(_FIND_PARTICIPANT, "    ")}
        IF o_participant_id IS NULL THEN
            RETURN;  -- not enrolled: nothing to claim or lock by row
        END IF;
    END IF;"""
assert _NOT_ENROLLED in _0017, "0017's function is not the one this migration changes"
_FUNCTION = _0017.replace(_NOT_ENROLLED, _NEWCOMER).replace(
    "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_0017.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))
