"""Errors of the pull API: every one answered as JSON {code, message}."""

from __future__ import annotations

import json

from aiohttp import web


class ApiError(Exception):
    """A request the API refuses, with an HTTP status, a stable code and a
    message saying what to do."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def response(self) -> web.Response:
        return error_response(self.status, self.code, self.message, self.headers)


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps({"code": code, "message": message}),
        content_type="application/json",
        headers=headers,
    )
