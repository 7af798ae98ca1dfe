"""The web pages: the resident-facing chat, the widget, the health checks."""
