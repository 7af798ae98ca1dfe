"""`consultbot_open_message`: what a resident's message reads and locks first,
in one round trip on PostgreSQL (storage.message_open): the participant locked
(and whether the team has messages waiting for them), the platform message id
claimed (or the replies it got the first time), the open session locked, with
the dates set in the console for its consultation. The steps run in this order,
each one statement, as the application ran them one round trip each: the lock
order, hence freedom from deadlocks, is the same. Nothing on SQLite, which runs
the same statements itself.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Output names differ from every column name the body reads: in PL/pgSQL an
# output parameter is a variable, which a same-named column would shadow.
_FUNCTION = """
CREATE FUNCTION consultbot_open_message(
    p_channel varchar,
    p_user_hash varchar,
    p_message_id varchar,
    p_received_at timestamptz,
    OUT o_participant_id bigint,
    OUT o_participant_channel varchar,
    OUT o_participant_user_hash varchar,
    OUT o_participant_language varchar,
    OUT o_participant_consented_at timestamptz,
    OUT o_participant_reachable boolean,
    OUT o_participant_address bytea,
    OUT o_participant_created_at timestamptz,
    OUT o_team_waiting boolean,
    OUT o_claim_id bigint,
    OUT o_claim_new boolean,
    OUT o_claim_replies jsonb,
    OUT o_session_id bigint,
    OUT o_session_participant_id bigint,
    OUT o_session_flow_version_id bigint,
    OUT o_session_state jsonb,
    OUT o_session_status varchar,
    OUT o_session_human_requested boolean,
    OUT o_session_created_at timestamptz,
    OUT o_session_updated_at timestamptz,
    OUT o_session_last_activity_at timestamptz,
    OUT o_opens date,
    OUT o_closes date,
    OUT o_dates_changed_at timestamptz
)
LANGUAGE plpgsql VOLATILE AS $body$
BEGIN
    -- 1. The participant, locked: one resident's messages one after the other.
    SELECT p.id, p.channel, p.user_hash, p.language, p.consented_at, p.reachable,
           p.address, p.created_at,
           EXISTS (SELECT FROM team_messages m
                   WHERE m.participant_id = p.id AND m.state <> 'delivered')
      INTO o_participant_id, o_participant_channel, o_participant_user_hash,
           o_participant_language, o_participant_consented_at, o_participant_reachable,
           o_participant_address, o_participant_created_at, o_team_waiting
      FROM participants p
     WHERE p.channel = p_channel AND p.user_hash = p_user_hash
       FOR UPDATE OF p;
    IF o_participant_id IS NULL THEN
        RETURN;  -- not enrolled: nothing to claim or lock by row
    END IF;
    -- 2. The platform message id claimed; a concurrent claim of the same id is
    -- waited for (the unique key), and once committed seen as handled.
    IF p_message_id IS NOT NULL THEN
        INSERT INTO processed_inbound (channel, user_hash, message_id, received_at)
        VALUES (p_channel, p_user_hash, p_message_id, p_received_at)
        ON CONFLICT (channel, user_hash, message_id) DO NOTHING
        RETURNING id INTO o_claim_id;
        o_claim_new := o_claim_id IS NOT NULL;
        IF NOT o_claim_new THEN  -- a redelivery: the first replies, nothing more
            SELECT i.id, i.replies INTO o_claim_id, o_claim_replies
              FROM processed_inbound i
             WHERE i.channel = p_channel AND i.user_hash = p_user_hash
               AND i.message_id = p_message_id;
            RETURN;
        END IF;
    END IF;
    -- 3. The open session, locked, with the console's dates of its consultation.
    SELECT s.id, s.participant_id, s.flow_version_id, s.state, s.status,
           s.human_requested, s.created_at, s.updated_at, s.last_activity_at,
           c.opens, c.closes, c.dates_changed_at
      INTO o_session_id, o_session_participant_id, o_session_flow_version_id,
           o_session_state, o_session_status, o_session_human_requested,
           o_session_created_at, o_session_updated_at, o_session_last_activity_at,
           o_opens, o_closes, o_dates_changed_at
      FROM sessions s
      JOIN flow_versions v ON v.id = s.flow_version_id
      LEFT JOIN consultations c
        ON c.id = v.consultation_id AND c.dates_changed_at IS NOT NULL
     WHERE s.participant_id = o_participant_id
       AND (s.status = 'active' OR s.status = 'paused')
       FOR UPDATE OF s;
END
$body$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION consultbot_open_message(varchar, varchar, varchar, timestamptz)")
