"""`consultbot_open_message` with three more arguments: the erasure receipt of
the message, the consultation it asks for (a deep link's, if any) and the
default one. For someone not enrolled, once their pseudonym is locked and they
are still not found, it also reads what is kept about them outside consent
(their note from before consent, unless expired, and whether the receipt names
this message: a retry of the one that erased their data) and the live flow
version of the consultation they look at first (the one asked for, else their
note's, else the default), which the application read in two round trips of
their own on each message before consent. Otherwise the function is 0018's,
which stays for processes of the previous version (an overload: this one takes
seven arguments). Nothing on SQLite, whose transactions never overlap.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _revision_0018() -> ModuleType:
    path = Path(__file__).with_name("0018_open_message_newcomer.py")
    spec = importlib.util.spec_from_file_location("consultbot_migration_0018", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_0018: str = _revision_0018()._FUNCTION
_ARGUMENTS = "    p_received_at timestamptz,\n"
_LAST_OUTPUT = "    OUT o_dates_changed_at timestamptz\n"
_STILL_NOBODY = """        IF o_participant_id IS NULL THEN
            RETURN;  -- not enrolled: nothing to claim or lock by row
        END IF;"""
_OUTSIDE = """        IF o_participant_id IS NULL THEN
            -- Not enrolled: what is kept about them outside consent.
            o_erased := EXISTS (SELECT FROM erasure_receipts r WHERE r.digest = p_receipt);
            SELECT n.consultation_id, n.language, n.asked_version_id, n.asked_by, n.source
              INTO o_note_consultation_id, o_note_language, o_note_asked_version_id,
                   o_note_asked_by, o_note_source
              FROM pre_consent n
             WHERE n.channel = p_channel AND n.user_hash = p_user_hash
               AND n.expires_at > p_received_at;
            -- The live version of the consultation they look at first.
            o_live_consultation_id := COALESCE(p_wanted, o_note_consultation_id, p_default);
            SELECT v.id, c.opens, c.closes, c.dates_changed_at
              INTO o_live_version_id, o_live_opens, o_live_closes, o_live_dates_changed_at
              FROM flow_versions v
              LEFT JOIN consultations c
                ON c.id = v.consultation_id AND c.dates_changed_at IS NOT NULL
             WHERE v.consultation_id = o_live_consultation_id AND v.live IS true;
            RETURN;  -- nothing to claim or lock by row
        END IF;"""
for part in (_ARGUMENTS, _LAST_OUTPUT, _STILL_NOBODY, "CREATE OR REPLACE FUNCTION"):
    assert _0018.count(part) == 1, "0018's function is not the one this migration extends"
_FUNCTION = (
    _0018.replace(
        _ARGUMENTS,
        _ARGUMENTS + "    p_receipt varchar,\n    p_wanted varchar,\n    p_default varchar,\n",
    )
    .replace(
        _LAST_OUTPUT,
        "    OUT o_dates_changed_at timestamptz,\n"
        "    OUT o_erased boolean,\n"
        "    OUT o_note_consultation_id varchar,\n"
        "    OUT o_note_language varchar,\n"
        "    OUT o_note_asked_version_id bigint,\n"
        "    OUT o_note_asked_by varchar,\n"
        "    OUT o_note_source varchar,\n"
        "    OUT o_live_consultation_id varchar,\n"
        "    OUT o_live_version_id bigint,\n"
        "    OUT o_live_opens date,\n"
        "    OUT o_live_closes date,\n"
        "    OUT o_live_dates_changed_at timestamptz\n",
    )
    .replace(_STILL_NOBODY, _OUTSIDE)
    .replace("CREATE OR REPLACE FUNCTION", "CREATE FUNCTION")
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DROP FUNCTION consultbot_open_message("
            "varchar, varchar, varchar, timestamptz, varchar, varchar, varchar)"
        )
