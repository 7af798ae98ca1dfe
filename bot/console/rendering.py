"""Rendering a console page: the template (autoescaped: whatever a resident
wrote is shown as text), with who is looking and the form token."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.console.guard import STATE, WAITING, csrf_token, maybe_viewer


def page(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    viewer = maybe_viewer(request)
    return aiohttp_jinja2.render_template(
        template,
        request,
        {
            "error": None,
            "viewer": viewer,
            "csrf": csrf_token(request),
            "reasons": request.app[STATE].settings.console.rejection_reasons,
            "waiting_count": request.get(WAITING),
            **context,
        },
        status=status,
    )
