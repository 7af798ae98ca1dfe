"""The names the engine feed shares with the command line: token scopes, the
token prefix, the public event types (kept apart from the web code, so that
building the command line stays light)."""

from __future__ import annotations

CONTRIBUTIONS_READ = "contributions:read"
EVENTS_READ = "events:read"
SCOPES = (CONTRIBUTIONS_READ, EVENTS_READ)
TOKEN_PREFIX = "cbt_"

CONTRIBUTION_COMPLETED = "contribution.completed"
CONTRIBUTION_PARTIAL = "contribution.partial"
ANSWER_APPROVED = "answer.approved"
ANSWER_REJECTED = "answer.rejected"
PARTICIPANT_ERASED = "participant.erased"
CONSULTATION_DEPLOYED = "consultation.deployed"
EVENT_TYPES = (
    CONTRIBUTION_COMPLETED,
    CONTRIBUTION_PARTIAL,
    ANSWER_APPROVED,
    ANSWER_REJECTED,
    PARTICIPANT_ERASED,
    CONSULTATION_DEPLOYED,
)
# Not a type to subscribe to: what the feeds give in the place of an event this
# version cannot read (bot.api.serializer.unreadable_json).
EVENT_UNREADABLE = "event.unreadable"
