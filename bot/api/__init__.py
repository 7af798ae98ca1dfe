"""The pull API of the consultation engine, under /api/v1/ (`bot.api.routes`):
consultations, their contributions and the event feed, behind bearer tokens."""
