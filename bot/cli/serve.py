"""`consultbot serve`: the web chat, the REST channel and the health checks in one
process. SIGTERM or Ctrl-C finishes the messages in flight, then exits 0.

`--workers N` (PostgreSQL only) runs N such processes on one port instead, each
with its own connections, started and stopped by a supervisor
(bot/cli/workers.py)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
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
    parser.add_argument(
        "--workers",
        type=_workers,
        default=1,
        metavar="N",
        help="serving processes on the one port (default 1; more needs PostgreSQL)",
    )
    # Set by the supervisor for its workers: listen with SO_REUSEPORT beside the others.
    parser.add_argument("--worker-of", type=int, default=0, help=argparse.SUPPRESS)
    parser.set_defaults(handler=_serve)


def _workers(value: str) -> int:
    try:
        workers = int(value)
    except ValueError:
        workers = 0
    if not 1 <= workers <= 64:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of workers (1-64)")
    return workers


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
    if args.workers > 1:
        from bot.cli.workers import supervise

        return supervise(settings, args.workers, args.config)
    asyncio.run(serve(settings, shared_port=args.worker_of > 0))
    return 0


async def serve(settings: Settings, *, shared_port: bool = False) -> None:
    """Run until SIGTERM or SIGINT, then shut down gracefully. `shared_port`:
    listen with SO_REUSEPORT, beside the supervisor's other workers (the kernel
    spreads new connections among them)."""
    from aiohttp import web

    from bot.app import create_app
    from bot.startup import open_serving
    from bot.web.clients import ConnectionGuard, hide_client_addresses

    hide_client_addresses(settings.server)
    app = create_app(settings, open_service=open_serving)
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
            listening = await loop.create_server(
                guard, host, port, backlog=1024, reuse_port=shared_port or None
            )
        except OSError as error:
            raise ServeError(f"cannot listen on {host}:{port}: {error.strerror}") from None
        print(
            f"consultbot: serving on http://{_display(host)}:{port}/ "
            f"(web chat at /, REST channel at /webhooks/rest/webhook); Ctrl-C stops",
            file=sys.stderr,
            flush=True,
        )
        if shared_port:  # a worker: stop too if the supervisor is gone (SIGKILLed)
            orphaned = asyncio.create_task(_stop_when_orphaned(os.getppid(), stop))
        await stop.wait()
        if shared_port:
            orphaned.cancel()
        print("consultbot: stopping after the messages in flight", file=sys.stderr, flush=True)
        listening.close()  # no new connections; those open finish in runner.cleanup()
    finally:
        await runner.cleanup()


async def _stop_when_orphaned(supervisor: int, stop: asyncio.Event) -> None:
    while True:
        await asyncio.sleep(1.0)
        if os.getppid() != supervisor:
            break
    print("consultbot: the supervisor is gone; this worker stops", file=sys.stderr, flush=True)
    stop.set()


def _display(host: str) -> str:
    return f"[{host}]" if ":" in host else host
