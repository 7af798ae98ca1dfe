"""The tables, as SQLAlchemy 2 typed models. Repositories (one module per
aggregate) are the only readers and writers; callers get frozen records back.

Every timestamp is timezone-aware UTC and given by the caller. Participants are
pseudonymous: `user_hash` is a keyed hash computed by the application, never the
platform's id. Sessions with no participant hold anonymised answers.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.columns import BigId, Json, UtcDateTime

# Named constraints, so that migrations (and SQLite's batch mode) can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class SessionStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    ABANDONED = "abandoned"
    EXPIRED = "expired"


# A participant has at most one session in these states.
OPEN_STATUSES = (SessionStatus.ACTIVE, SessionStatus.PAUSED)

# A session whose resident asked for a person and was not answered yet.
HUMAN_WAITING = "human_requested_at IS NOT NULL AND human_handled_at IS NULL"


class Direction(enum.StrEnum):
    IN = "in"  # from the resident
    OUT = "out"  # from the bot


class TeamMessageState(enum.StrEnum):
    QUEUED = "queued"  # not yet shown: waits for the resident's chat or next message
    DELIVERED = "delivered"
    UNREACHABLE = "unreachable"  # the platform refused it (e.g. the bot is blocked)


class ModerationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


def _one_of(column: str, values: type[enum.StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


# JSON columns are typed Any here (SQLAlchemy cannot resolve a recursive alias);
# the repositories expose them as storage.columns.JsonValue.
class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ParticipantRow(Base):
    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("channel", "user_hash"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    user_hash: Mapped[str] = mapped_column(String(128))  # keyed hash (hex) of the platform id
    language: Mapped[str | None] = mapped_column(String(16))
    consented_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    reachable: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    # Encrypted by the application (e.g. a Telegram chat id to write to later).
    address: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ConsultationRow(Base):
    __tablename__ = "consultations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the flow's id
    title: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # Dates set in the console (when dates_changed_at is set): they replace the
    # flow file's for every version until the next deployment.
    opens: Mapped[dt.date | None] = mapped_column(Date)
    closes: Mapped[dt.date | None] = mapped_column(Date)
    dates_changed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class FlowVersionRow(Base):
    __tablename__ = "flow_versions"
    __table_args__ = (
        UniqueConstraint("consultation_id", "version"),
        # At most one live version per consultation.
        Index(
            "uq_flow_versions_live",
            "consultation_id",
            unique=True,
            sqlite_where=text("live"),
            postgresql_where=text("live"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    consultation_id: Mapped[str] = mapped_column(ForeignKey("consultations.id"))
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per consultation
    definition: Mapped[str] = mapped_column(Text)  # the full flow file as deployed
    checksum: Mapped[str] = mapped_column(String(128))
    source: Mapped[str | None] = mapped_column(Text)  # where it was deployed from
    deployed_by: Mapped[str] = mapped_column(String(128))
    deployed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    live: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class SessionRow(Base):
    __tablename__ = "sessions"
    __table_args__ = (
        CheckConstraint(_one_of("status", SessionStatus), name="status"),
        Index("ix_sessions_participant_id", "participant_id"),
        # At most one open session per participant, even with several processes.
        Index(
            "uq_sessions_open_participant",
            "participant_id",
            unique=True,
            sqlite_where=text("status IN ('active', 'paused')"),
            postgresql_where=text("status IN ('active', 'paused')"),
        ),
        # The residents waiting for a person (bot.team_messages.inbox).
        Index(
            "ix_sessions_human_waiting",
            "human_requested_at",
            sqlite_where=text(HUMAN_WAITING),
            postgresql_where=text(HUMAN_WAITING),
        ),
        # The results filtered by département (storage.results): the sessions of
        # a consultation's versions in one département; and, by its first
        # column, every lookup by version (migration 0020).
        Index("ix_sessions_departement", "flow_version_id", "departement"),
        # Never an id twice, though erasures delete the newest rows: public ids
        # (contribution, receipt code) are made of it (migration 0023).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # NULL once the answers were kept anonymised on a participant's request.
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    flow_version_id: Mapped[int] = mapped_column(ForeignKey("flow_versions.id"))
    state: Mapped[Any] = mapped_column(Json)  # the engine's state, as flows serialises it
    status: Mapped[str] = mapped_column(String(16))
    human_requested: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # When the resident last asked for a person, and who of the team handled it.
    human_requested_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    human_handled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    human_handled_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    last_activity_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # The source tag of the link the resident came by (`bot.source_tags`), if any.
    source: Mapped[str | None] = mapped_column(String(40))
    # Copied from `state` whenever it is written (storage.sessions), for the
    # results to count without reading every state: the conversation's
    # language, the question it is at, the questions skipped (a JSON list).
    language: Mapped[str | None] = mapped_column(String(16))
    question_id: Mapped[str | None] = mapped_column(String(64))
    skipped: Mapped[Any] = mapped_column(Json, nullable=True)
    # A later session of the same participant in the same consultation exists
    # (set by storage.sessions.create): the results count each resident once,
    # by their latest conversation.
    replaced: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # The résident's département (storage.departements), from their first place
    # answer in flow order (postal code or commune), written with the state
    # (bot.places): what the results filter by.
    departement: Mapped[str | None] = mapped_column(String(3))


class TranscriptLineRow(Base):
    __tablename__ = "transcript_lines"
    __table_args__ = (
        CheckConstraint(_one_of("direction", Direction), name="direction"),
        Index("ix_transcript_lines_session_id", "session_id"),
        Index("ix_transcript_lines_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"))
    direction: Mapped[str] = mapped_column(String(3))
    # An outgoing line written by the consultation team, not by the bot.
    from_team: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[Any] = mapped_column(Json, nullable=True)  # buttons shown with a bot line
    platform_message_id: Mapped[str | None] = mapped_column(String(128))
    interpretation: Mapped[Any] = mapped_column(Json, nullable=True)  # how a resident line was read
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


# Spelled as storage.review_queue's filter is, so that both databases use the index.
_PENDING_PERSONAL = (
    "moderation_status = 'pending' AND superseded_at IS NULL AND personal_data = true"
)


class AnswerRow(Base):
    __tablename__ = "answers"
    __table_args__ = (
        CheckConstraint(
            f"moderation_status IS NULL OR {_one_of('moderation_status', ModerationStatus)}",
            name="moderation_status",
        ),
        Index("ix_answers_session_id", "session_id"),
        # One current answer per question of a session: a redelivered or replayed
        # message can never store the same answer twice.
        Index(
            "uq_answers_current",
            "session_id",
            "question_id",
            unique=True,
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
        # The review queue: pending current answers in id (= age) order. (No
        # index on moderation_status alone: three values, and SQLite's planner
        # preferred it to the partial indexes below, scanning every pending row.)
        Index(
            "ix_answers_pending",
            "id",
            sqlite_where=text("moderation_status = 'pending' AND superseded_at IS NULL"),
            postgresql_where=text("moderation_status = 'pending' AND superseded_at IS NULL"),
        ),
        # The review queue filtered by question.
        Index(
            "ix_answers_pending_question",
            "question_id",
            "id",
            sqlite_where=text("moderation_status = 'pending' AND superseded_at IS NULL"),
            postgresql_where=text("moderation_status = 'pending' AND superseded_at IS NULL"),
        ),
        # The review queue filtered on "contains personal data".
        Index(
            "ix_answers_pending_personal",
            "id",
            sqlite_where=text(_PENDING_PERSONAL),
            postgresql_where=text(_PENDING_PERSONAL),
        ),
        # The review queue of decided answers, by status.
        Index(
            "ix_answers_approved",
            "id",
            sqlite_where=text("moderation_status = 'approved' AND superseded_at IS NULL"),
            postgresql_where=text("moderation_status = 'approved' AND superseded_at IS NULL"),
        ),
        Index(
            "ix_answers_rejected",
            "id",
            sqlite_where=text("moderation_status = 'rejected' AND superseded_at IS NULL"),
            postgresql_where=text("moderation_status = 'rejected' AND superseded_at IS NULL"),
        ),
        # Pending answers not scanned for personal data yet.
        Index(
            "ix_answers_unscanned",
            "id",
            sqlite_where=text("moderation_status = 'pending' AND personal_data IS NULL"),
            postgresql_where=text("moderation_status = 'pending' AND personal_data IS NULL"),
        ),
        # Never an id twice: `ans_` ids and erased_answers name it (migration 0023).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"))
    question_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(Json)
    raw_text: Mapped[str | None] = mapped_column(Text)  # what the resident typed
    question_text: Mapped[str] = mapped_column(Text)  # the exact wording shown
    language: Mapped[str] = mapped_column(String(16))
    answered_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # Moderation of free-text answers; NULL status for answers that need none.
    moderation_status: Mapped[str | None] = mapped_column(String(16))
    redacted_text: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[Any] = mapped_column(Json, nullable=True)
    moderated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    moderated_by: Mapped[str | None] = mapped_column(String(254))  # who decided
    rejection_reason: Mapped[str | None] = mapped_column(String(64))
    moderation_note: Mapped[str | None] = mapped_column(Text)  # the moderator's, not the resident's
    # A moderator who opened the item holds it until then; others cannot decide it.
    held_by: Mapped[str | None] = mapped_column(String(254))
    held_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # Whether the text holds personal data (phone, e-mail, address, name); NULL until
    # scanned.
    personal_data: Mapped[bool | None] = mapped_column(Boolean)


class ErasedAnswerRow(Base):
    """The id of a free-text answer its author erased, so that a moderator
    deciding on it is told so; nothing else about it is kept."""

    __tablename__ = "erased_answers"

    answer_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    erased_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class TeamMessageRow(Base):
    """A message from the consultation team to a resident (a reply to "human",
    a follow-up), delivered over the resident's own channel."""

    __tablename__ = "team_messages"
    __table_args__ = (
        CheckConstraint(_one_of("state", TeamMessageState), name="state"),
        Index("ix_team_messages_session_id", "session_id"),
        Index("ix_team_messages_follow_up_id", "follow_up_id"),
        # A console reply form sent twice (a double click, a resubmission)
        # queues one message: storage.team_messages.add_once.
        Index("uq_team_messages_form_token", "form_token", unique=True),
        # What still waits for each resident.
        Index(
            "ix_team_messages_waiting",
            "participant_id",
            sqlite_where=text("state <> 'delivered'"),
            postgresql_where=text("state <> 'delivered'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(128))  # who of the team wrote it
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # The follow-up this message carries to the resident, if it is one.
    follow_up_id: Mapped[int | None] = mapped_column(ForeignKey("follow_ups.id"))
    # The one-time token of the console form that sent it; None from elsewhere.
    form_token: Mapped[str | None] = mapped_column(String(64))


class InboundRow(Base):
    """A platform message already handled, with the replies it got, so that a
    redelivery changes nothing and gets the same replies back."""

    __tablename__ = "processed_inbound"
    __table_args__ = (
        UniqueConstraint("channel", "user_hash", "message_id"),
        Index("ix_processed_inbound_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    user_hash: Mapped[str] = mapped_column(String(128))
    message_id: Mapped[str] = mapped_column(String(128))
    replies: Mapped[Any] = mapped_column(Json, nullable=True)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class OutboxEventRow(Base):
    """An event for the consultation engine, written in the transaction that
    caused it and delivered afterwards."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_participant_id", "participant_id"),
        Index(
            "ix_outbox_events_pending",
            "id",
            sqlite_where=text("delivered_at IS NULL"),
            postgresql_where=text("delivered_at IS NULL"),
        ),
        Index("ix_outbox_events_txid_id", "txid", "id"),
        # Never an id twice: an engine knows an event by its `evt_` id (migration 0023).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[Any] = mapped_column(Json)
    # Whose data it carries, so that deleting their data reaches it; not a foreign
    # key, since delivered events outlive the participant row.
    participant_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # The writing transaction (storage.commit_order); the feeds page by (txid, id).
    txid: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


class ContributionRow(Base):
    """A session's answers as the consultation engine gets them: written when
    the resident completes (or, where the flow allows, when the session
    expires: partial). Its public id is derived from the session id."""

    __tablename__ = "contributions"
    __table_args__ = (
        UniqueConstraint("session_id"),
        Index("ix_contributions_feed", "consultation_id", "txid", "id"),
        Index("ix_contributions_participant_id", "participant_id"),
        # A replaced row gets a new id, never the old one again: it is read anew.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"))
    consultation_id: Mapped[str] = mapped_column(String(64))
    flow_version_id: Mapped[int] = mapped_column(ForeignKey("flow_versions.id"))
    participant_id: Mapped[int | None] = mapped_column(BigId)
    channel: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(16))
    partial: Mapped[bool] = mapped_column(Boolean)
    # Keyed hash scoped to the consultation: two consultations' cannot be linked.
    pseudonym: Mapped[str] = mapped_column(String(128))
    completed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    txid: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


class ApiTokenRow(Base):
    """A bearer token of the pull API; only its hash is kept."""

    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("name"), UniqueConstraint("token_hash"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    token_hash: Mapped[str] = mapped_column(String(128))
    scopes: Mapped[Any] = mapped_column(Json)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class WebhookEndpointRow(Base):
    """Where events are pushed, how far they went (a position in the outbox
    feed), and the state of the current retry."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    events: Mapped[Any] = mapped_column(Json)  # event types sent
    secret: Mapped[bytes] = mapped_column(LargeBinary)  # encrypted by the application
    enabled: Mapped[bool] = mapped_column(Boolean)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    cursor_txid: Mapped[int] = mapped_column(BigInteger)
    cursor_id: Mapped[int] = mapped_column(BigInteger)
    delivered: Mapped[int] = mapped_column(BigInteger)
    attempts: Mapped[int] = mapped_column(Integer)  # failed attempts at the head event
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    failing_since: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class AuditRow(Base):
    """What was done to personal data or by a console user, when, by whom, to
    which item and how many rows; no content."""

    __tablename__ = "audit_records"
    __table_args__ = (Index("ix_audit_records_at", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    action: Mapped[str] = mapped_column(String(64))
    counts: Mapped[Any] = mapped_column(Json)  # {"transcript_lines": 12, ...}
    details: Mapped[Any] = mapped_column(Json, nullable=True)  # e.g. the purge cutoff
    actor: Mapped[str | None] = mapped_column(String(254))  # who: an account, "cli:...", ...
    subject: Mapped[str | None] = mapped_column(String(128))  # which item, e.g. "answer:12"
    state_before: Mapped[str | None] = mapped_column(String(64))
    state_after: Mapped[str | None] = mapped_column(String(64))


class ConsoleRole(enum.StrEnum):
    MODERATOR = "moderator"
    ORGANIZER = "organizer"
    ADMIN = "admin"


class ConsoleUserRow(Base):
    """A person who signs in to the console."""

    __tablename__ = "console_users"
    __table_args__ = (
        CheckConstraint(_one_of("role", ConsoleRole), name="role"),
        UniqueConstraint("email"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))  # lower case
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(256))  # argon2id; NULL until set
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)  # encrypted by the application
    # The consultations a moderator may see; NULL: all of them.
    consultations: Mapped[Any] = mapped_column(Json, nullable=True)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ConsoleLinkRow(Base):
    """A one-time link to set a password; only a hash of its token is kept."""

    __tablename__ = "console_links"
    __table_args__ = (Index("ix_console_links_user_id", "user_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("console_users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class ConsoleSessionRow(Base):
    """A signed-in browser; the cookie holds a random id, this row its hash."""

    __tablename__ = "console_sessions"
    __table_args__ = (Index("ix_console_sessions_user_id", "user_id"),)

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("console_users.id"))
    # "full", or a step of signing in still missing: "code" (TOTP), "enrol" (set TOTP up).
    stage: Mapped[str] = mapped_column(String(16))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class LoginFailureRow(Base):
    """A failed sign-in, counted per account and per address to slow guessing."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(128))  # "account:<hash>" or "address:<hash>"
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class PreConsentRow(Base):
    """What a resident who has not consented yet chose, for a short while:
    keyed by the pseudonymous hash, no text. Lets their "oui" join the
    consultation and language they chose on any process, and only if the
    consent question was asked just before (`asked_version_id`)."""

    __tablename__ = "pre_consent"
    __table_args__ = (Index("ix_pre_consent_expires_at", "expires_at"),)

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_hash: Mapped[str] = mapped_column(String(128), primary_key=True)
    consultation_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(16))
    # The flow version whose consent question the last replies asked; NULL if none.
    asked_version_id: Mapped[int | None] = mapped_column(BigId)
    # A keyed hash of the message that was answered with it: its retry is no answer.
    asked_by: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    source: Mapped[str | None] = mapped_column(String(40))  # the link's source tag


class OpeningRow(Base):
    """Residents who opened a consultation (reached its consent question),
    counted per day, channel and source tag ('' for none): no one in it. Each
    count is split in shards (storage.openings.SHARDS), added up when read, so
    that newcomers arriving together do not take turns on one row."""

    __tablename__ = "openings"

    consultation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD, the region's
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    opened: Mapped[int] = mapped_column(Integer)


class ErasureReceiptRow(Base):
    """A message that erased a participant's data, as a keyed hash of (channel,
    user hash, message id) and nothing else, so that a retry of it is answered
    as the first time and re-creates nothing."""

    __tablename__ = "erasure_receipts"
    __table_args__ = (Index("ix_erasure_receipts_created_at", "created_at"),)

    digest: Mapped[str] = mapped_column(String(128), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class SavedReplyRow(Base):
    """A reply the team often writes to residents who asked for a person, kept
    by an admin, per language; a moderator picks one instead of typing."""

    __tablename__ = "saved_replies"
    __table_args__ = (Index("ix_saved_replies_language_title", "language", "title"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    language: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(254))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ReadinessProbeRow(Base):
    """One row `/readyz` writes to, to know the database takes writes."""

    __tablename__ = "readiness_probe"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    checked_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class RateLimitRow(Base):
    """One rate limit's state, shared by every process of a deployment on
    PostgreSQL (storage.rate_limits): the theoretical arrival time of the next
    request; a row whose time is past is a full allowance and may be pruned."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    granted: Mapped[bool] = mapped_column(Boolean)


class FollowUpConsentRow(Base):
    """A resident's wish to hear what became of a consultation, kept apart from
    the consent to take part: given at the end of a flow with `follow_up: true`,
    revoked by "stop" or with their data."""

    __tablename__ = "follow_up_consents"

    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), primary_key=True)
    consultation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    given_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class FollowUpRow(Base):
    """News of a consultation that organizers send to the residents who asked
    for it: one text per language, each resident's copy a team message."""

    __tablename__ = "follow_ups"
    __table_args__ = (Index("ix_follow_ups_consultation_id", "consultation_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    consultation_id: Mapped[str] = mapped_column(String(64))
    texts: Mapped[Any] = mapped_column(Json)  # {"fr": "...", "en": "..."}
    author: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


def table(model: type[DeclarativeBase]) -> Table:
    """The Core table of a model, for statements that need no ORM machinery."""
    found = model.__table__
    assert isinstance(found, Table)
    return found
