"""What an API token may read, and how tokens look (kept apart from the web
code, so that the `tokens` command stays light)."""

from __future__ import annotations

CONTRIBUTIONS_READ = "contributions:read"
EVENTS_READ = "events:read"
SCOPES = (CONTRIBUTIONS_READ, EVENTS_READ)
TOKEN_PREFIX = "cbt_"
