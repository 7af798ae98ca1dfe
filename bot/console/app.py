"""The console's aiohttp application, mounted at /console/ by `bot.app`: its
routes with their access, its templates and static files. `open_console`
connects it to the database once the conversation service has opened it."""

from __future__ import annotations

from importlib import resources
from typing import Final

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.config import Settings
from bot.console import (
    account_pages,
    flow_history_pages,
    flow_pages,
    flow_simulator,
    follow_up_pages,
    inbox_pages,
    queue_pages,
    record_pages,
    results_pages,
    saved_reply_pages,
)
from bot.console.accounts import Accounts
from bot.console.guard import (
    ADMINS,
    ANYONE,
    MODERATORS,
    ORGANIZERS,
    PUBLIC,
    SIGNING_IN,
    STATE,
    ConsoleRoutes,
    ConsoleState,
    guard,
)
from bot.console.totp import TotpCipher
from bot.keys import Keys
from bot.pseudonyms import Pseudonymizer
from bot.receipts import Receipts
from bot.team_messages import TeamMessages
from storage.database import Database

STATIC: Final = ("console.js", "console.css")


def create_console(settings: Settings) -> web.Application:
    app = web.Application(
        middlewares=[flow_pages.larger_forms, guard, inbox_pages.count_waiting],
        client_max_size=256 * 1024,
    )
    app[STATE] = ConsoleState(settings)
    app[follow_up_pages.SENDING] = {}
    app[flow_pages.PARSED] = {}
    app[flow_simulator.INTERPRETER] = []
    app.on_cleanup.append(follow_up_pages.stop_sending)
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("bot.console", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        # Package data: no need to stat every template (and each item's
        # include, fifty a queue page) on every render.
        auto_reload=False,
    )
    env.globals["prefix"] = "/console"
    files = resources.files("bot.console") / "static"
    static = {name: (files / name).read_bytes() for name in STATIC}

    async def static_file(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in static:
            raise web.HTTPNotFound()
        kind = "text/javascript" if name.endswith(".js") else "text/css"
        return web.Response(
            body=static[name], content_type=kind, headers={"Cache-Control": "max-age=300"}
        )

    routes = ConsoleRoutes(app)
    routes.get("/static/{name}", static_file, PUBLIC)
    routes.get("/login", account_pages.login_form, PUBLIC)
    routes.post("/login", account_pages.login, PUBLIC)
    routes.get("/welcome/{token}", account_pages.welcome_form, PUBLIC)
    routes.post("/welcome/{token}", account_pages.welcome, PUBLIC)
    routes.get("/login/code", account_pages.code_form, SIGNING_IN)
    routes.post("/login/code", account_pages.code, SIGNING_IN)
    routes.get("/2fa", account_pages.enrol_form, SIGNING_IN)
    routes.post("/2fa", account_pages.enrol, SIGNING_IN)
    routes.post("/logout", account_pages.logout, SIGNING_IN)
    routes.post("/logout-everywhere", account_pages.logout_everywhere, ANYONE)
    routes.get("/", account_pages.home, ANYONE)
    routes.get("/queue", queue_pages.queue, MODERATORS)
    routes.post("/queue/bulk", queue_pages.bulk, MODERATORS)
    routes.get("/answers/{answer}", queue_pages.answer, MODERATORS)
    routes.post("/answers/{answer}/approve", queue_pages.approve, MODERATORS)
    routes.post("/answers/{answer}/reject", queue_pages.reject, MODERATORS)
    routes.post("/answers/{answer}/tag", queue_pages.tag, MODERATORS)
    routes.get("/transcripts", record_pages.search, MODERATORS)
    routes.get("/transcripts/{session}", record_pages.transcript, MODERATORS)
    routes.get("/results", results_pages.index, ORGANIZERS)
    routes.get("/results/{consultation}", results_pages.consultation, ORGANIZERS)
    routes.get("/results/{consultation}/{table}.csv", results_pages.export, ORGANIZERS)
    routes.get("/follow-ups", follow_up_pages.index, ORGANIZERS)
    routes.get("/follow-ups/{consultation}/new", follow_up_pages.new, ORGANIZERS)
    routes.post("/follow-ups/{consultation}/new", follow_up_pages.write, ORGANIZERS)
    routes.post("/follow-ups/{consultation}/{follow_up}/send", follow_up_pages.send, ORGANIZERS)
    routes.post("/follow-ups/{consultation}/{follow_up}/test", follow_up_pages.test, ORGANIZERS)
    routes.get("/flows", flow_pages.index, ORGANIZERS)
    routes.get("/flows/new", flow_pages.new, ORGANIZERS)
    routes.post("/flows/new", flow_pages.check, ORGANIZERS)
    routes.post("/flows/simulate", flow_simulator.simulate, ORGANIZERS)
    routes.post("/flows/deploy", flow_pages.deploy, ORGANIZERS)
    routes.get("/flows/{consultation}", flow_history_pages.history, ORGANIZERS)
    routes.post("/flows/{consultation}/dates", flow_history_pages.change_dates, ORGANIZERS)
    routes.post("/flows/{consultation}/close", flow_history_pages.close_now, ORGANIZERS)
    routes.get("/inbox", inbox_pages.inbox, MODERATORS)
    routes.get("/inbox/{session}", inbox_pages.conversation, MODERATORS)
    routes.post("/inbox/{session}/reply", inbox_pages.reply, MODERATORS)
    routes.post("/inbox/{session}/handled", inbox_pages.handled, MODERATORS)
    routes.post("/inbox/{session}/reopen", inbox_pages.reopen, MODERATORS)
    routes.get("/saved-replies", saved_reply_pages.show, ADMINS)
    routes.post("/saved-replies", saved_reply_pages.add, ADMINS)
    routes.post("/saved-replies/{saved}", saved_reply_pages.change, ADMINS)
    routes.post("/saved-replies/{saved}/delete", saved_reply_pages.remove, ADMINS)
    routes.get("/audit", record_pages.audit_log, ADMINS)
    routes.get("/audit.csv", record_pages.audit_csv, ADMINS)
    return app


def open_console(
    console: web.Application, database: Database, team_messages: TeamMessages | None = None
) -> None:
    """Serve the console from `database` (the conversation service's); replies
    to residents go through `team_messages` (the application's)."""
    state = console[STATE]
    state.team_messages = team_messages
    if team_messages is not None:  # a send cut short by a restart goes on
        follow_up_pages.start_resuming(console, database, team_messages)
    keys = Keys.from_settings(state.settings)
    state.accounts = Accounts(database, state.settings, TotpCipher(keys))
    state.receipts = Receipts(Pseudonymizer(keys))
