"""Signing in and out: the sign-in form, the one-time code, setting up a code
app, the one-time link where a new account chooses its password, and the
console's home page."""

from __future__ import annotations

from aiohttp import web

from bot.console import totp
from bot.console.accounts import CODE, ENROL, FULL, CodeRefused, SignInRefused
from bot.console.guard import (
    COOKIE,
    PREFIX,
    accounts_of,
    maybe_viewer,
    redirect,
    safe_back,
    set_cookie,
    viewer_of,
)
from bot.console.passwords import WeakPassword
from bot.console.rendering import page
from bot.errors import UserError

MAX_FIELD = 1024


async def _form(request: web.Request) -> dict[str, str]:
    form = await request.post()
    return {k: v[:MAX_FIELD] for k, v in form.items() if isinstance(v, str)}


def _address(request: web.Request) -> str:
    return request.remote or "unknown"


async def home(request: web.Request) -> web.Response:
    return page(request, "home.html", title="Console")


async def login_form(request: web.Request) -> web.StreamResponse:
    viewer = maybe_viewer(request)
    if viewer is not None and viewer.session.stage == FULL:
        raise web.HTTPSeeOther(f"{PREFIX}/")
    return page(
        request, "login.html", title="Sign in", next=safe_back(request.query.get("next"), "")
    )


async def login(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    back = safe_back(form.get("next"), f"{PREFIX}/")
    try:
        token, stage = await accounts_of(request).sign_in(
            form.get("email", ""), form.get("password", ""), _address(request)
        )
    except SignInRefused as refused:
        return page(request, "login.html", 401, title="Sign in", error=str(refused), next=back)
    target = {CODE: f"{PREFIX}/login/code", ENROL: f"{PREFIX}/2fa"}.get(stage, back)
    response = redirect(target)
    set_cookie(response, request, COOKIE, token)
    return response


def _only_at(request: web.Request, *stages: str) -> None:
    """Each step of signing in has its page: a session owing its code cannot set
    up a new code app instead (that would skip the code)."""
    stage = viewer_of(request).session.stage
    if stage not in stages:
        raise web.HTTPSeeOther(f"{PREFIX}/login/code" if stage == CODE else f"{PREFIX}/")


async def code_form(request: web.Request) -> web.Response:
    _only_at(request, CODE)
    return page(request, "code.html", title="One-time code")


async def code(request: web.Request) -> web.StreamResponse:
    _only_at(request, CODE)
    viewer = viewer_of(request)
    form = await _form(request)
    try:
        await accounts_of(request).confirm_code(viewer, form.get("code", ""))
    except CodeRefused as refused:
        return page(request, "code.html", 401, title="One-time code", error=str(refused))
    raise web.HTTPSeeOther(f"{PREFIX}/")


async def enrol_form(request: web.Request) -> web.Response:
    _only_at(request, ENROL, FULL)
    viewer = viewer_of(request)
    secret = totp.new_secret()
    return page(
        request,
        "enrol.html",
        title="Set up one-time codes",
        secret=secret,
        uri=totp.provisioning_uri(secret, viewer.name),
    )


async def enrol(request: web.Request) -> web.StreamResponse:
    _only_at(request, ENROL, FULL)
    viewer = viewer_of(request)
    form = await _form(request)
    secret = form.get("secret", "")
    try:
        await accounts_of(request).enrol(viewer, secret, form.get("code", ""))
    except CodeRefused as refused:
        return page(
            request,
            "enrol.html",
            401,
            title="Set up one-time codes",
            secret=secret,
            uri=totp.provisioning_uri(secret, viewer.name),
            error=str(refused),
        )
    raise web.HTTPSeeOther(f"{PREFIX}/")


async def welcome_form(request: web.Request) -> web.Response:
    try:
        user = await accounts_of(request).link_owner(request.match_info["token"])
    except UserError as error:
        return page(request, "refused.html", 404, title="Link", message=str(error))
    return page(request, "welcome.html", title="Choose your password", email=user.email)


async def welcome(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    token = request.match_info["token"]
    if form.get("password", "") != form.get("confirm", ""):
        return page(
            request,
            "welcome.html",
            400,
            title="Choose your password",
            email="",
            error="The two passwords differ.",
        )
    try:
        await accounts_of(request).set_password(token, form.get("password", ""))
    except WeakPassword as weak:
        return page(
            request, "welcome.html", 400, title="Choose your password", email="", error=str(weak)
        )
    except UserError as error:
        return page(request, "refused.html", 404, title="Link", message=str(error))
    raise web.HTTPSeeOther(f"{PREFIX}/login")


async def logout(request: web.Request) -> web.StreamResponse:
    await accounts_of(request).sign_out(viewer_of(request))
    response = redirect(f"{PREFIX}/login")
    response.del_cookie(COOKIE, path=f"{PREFIX}/")
    return response


async def logout_everywhere(request: web.Request) -> web.StreamResponse:
    await accounts_of(request).sign_out_everywhere(viewer_of(request))
    response = redirect(f"{PREFIX}/login")
    response.del_cookie(COOKIE, path=f"{PREFIX}/")
    return response
