"""`consultbot serve`: the web chat, the REST channel and the health checks in one
process. SIGTERM or Ctrl-C finishes the messages in flight, then exits 0."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import UserError

if TYPE_CHECKING:
    from bot.config import Settings


class ServeError(UserError):
    """The server cannot start (e.g. its address is taken)."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the web chat, the REST channel and the health checks",
        description="Serve the web chat at /, the embeddable widget at /widget.js, "
        "the REST channel at /webhooks/rest/webhook, and /healthz and /readyz.",
    )
    parser.add_argument("--host", help="address to listen on (default: server.host, 127.0.0.1)")
    parser.add_argument("--port", type=_port, help="port to listen on (default: server.port, 8080)")
    parser.add_argument("--config", type=Path, metavar="FILE", help="configuration file")
    parser.set_defaults(handler=_serve)


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number (1-65535)")
    return port


def _serve(args: argparse.Namespace) -> int:
    from bot.config import load_settings

    settings = load_settings(args.config)
    server: dict[str, object] = {}
    if args.host is not None:
        server["host"] = args.host
    if args.port is not None:
        server["port"] = args.port
    if server:
        settings = settings.model_copy(update={"server": settings.server.model_copy(update=server)})
    logging.basicConfig(
        level=logging.DEBUG if settings.debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not settings.debug:
        logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per plugin otherwise
    asyncio.run(serve(settings))
    return 0


async def serve(settings: Settings) -> None:
    """Run until SIGTERM or SIGINT, then shut down gracefully."""
    from aiohttp import web

    from bot.app import create_app
    from bot.web.clients import ConnectionGuard, hide_client_addresses

    hide_client_addresses(settings.server)
    app = create_app(settings)
    # No access log: one line per message costs throughput and would log ids.
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=30.0)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await runner.setup()  # start-up, garbage collector tuning included (bot/app.py)
    try:
        host, port = settings.server.host, settings.server.port
        guard = ConnectionGuard(runner.server, settings.server)  # type: ignore[arg-type]
        try:
            listening = await loop.create_server(guard, host, port, backlog=1024)
        except OSError as error:
            raise ServeError(f"cannot listen on {host}:{port}: {error.strerror}") from None
        print(
            f"consultbot: serving on http://{_display(host)}:{port}/ "
            f"(web chat at /, REST channel at /webhooks/rest/webhook); Ctrl-C stops",
            file=sys.stderr,
            flush=True,
        )
        await stop.wait()
        print("consultbot: stopping after the messages in flight", file=sys.stderr, flush=True)
        listening.close()  # no new connections; those open finish in runner.cleanup()
    finally:
        await runner.cleanup()


def _display(host: str) -> str:
    return f"[{host}]" if ":" in host else host
