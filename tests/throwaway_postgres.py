"""A PostgreSQL cluster of the test's own, to stop and restart at will.

The machine's shared server (CONSULTBOT_TEST_DATABASE_URL) serves other tests
and must never be restarted; a fault test starts its own cluster instead, with
the server binaries installed beside it (Debian's /usr/lib/postgresql/N/bin),
in a temporary folder, on a free loopback port, trusting local connections and
with no Unix socket. initdb refuses to run as root: as root, the cluster runs as
the `postgres` system user (runuser), its folder owned by that user.

Without the binaries the test is skipped, saying why, or fails when
CONSULTBOT_REQUIRE_POSTGRES=1 (CI).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REQUIRE_POSTGRES_ENV = "CONSULTBOT_REQUIRE_POSTGRES"
SERVER_USER = "postgres"  # who runs the cluster when the tests run as root


def _binaries() -> Path | None:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_POSTGRES_ENV) == "1":
        pytest.fail(f"PostgreSQL is required ({REQUIRE_POSTGRES_ENV}=1) but {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


class Cluster:
    """A cluster in `folder`, listening on 127.0.0.1:`port`."""

    def __init__(self, binaries: Path, folder: Path, as_user: str | None) -> None:
        self.port = _free_port()
        self._binaries = binaries
        self._data = folder / "data"
        self._log = folder / "server.log"
        self._prefix = ["runuser", "-u", as_user, "--"] if as_user else []

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str, check: bool = True) -> int:
        command = [*self._prefix, str(self._binaries / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if check and done.returncode != 0:
            log = self._log.read_text() if self._log.exists() else ""
            raise AssertionError(f"{program} {args[0]} failed:\n{done.stderr}\n{log}")
        return done.returncode

    def init(self) -> None:
        self._run("initdb", "-D", str(self._data), "-U", "postgres", "-A", "trust", "--no-sync")

    def start(self) -> None:
        self._run("pg_ctl", "start", "-D", str(self._data), *self._server_arguments())

    def restart(self) -> None:
        """Stop (fast: sessions are cut, the shutdown is clean) and start again."""
        self._run("pg_ctl", "restart", "-D", str(self._data), *self._server_arguments("-m", "fast"))

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-D", str(self._data), "-m", mode, "-w")

    def running(self) -> bool:
        return self._run("pg_ctl", "status", "-D", str(self._data), check=False) == 0

    def _server_arguments(self, *more: str) -> list[str]:
        # The log file above all: without it the server writes to pg_ctl's output,
        # which would then never end. fsync off: only clean shutdowns are tested
        # here, which write everything.
        options = "-c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off"
        return ["-l", str(self._log), "-w", *more, "-o", f"-p {self.port} {options}"]


@pytest.fixture
def throwaway_cluster() -> Iterator[Cluster]:
    """A started cluster, stopped and deleted afterwards. A test module uses it by
    importing it (`from tests.throwaway_postgres import throwaway_cluster`)."""
    binaries = _binaries()
    if binaries is None:
        _unavailable("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin")
    assert binaries is not None
    as_user = None
    if os.geteuid() == 0:  # initdb refuses root
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            _unavailable(f"running as root and there is no {SERVER_USER} user to run initdb as")
        if shutil.which("runuser") is None:
            _unavailable("running as root and runuser is missing")
        as_user = SERVER_USER
    folder = Path(tempfile.mkdtemp(prefix="consultbot-pg-"))
    if as_user is not None:
        entry = pwd.getpwnam(as_user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    cluster = Cluster(binaries, folder, as_user)
    try:
        cluster.init()
        cluster.start()
        try:
            yield cluster
        finally:
            if cluster.running():
                cluster.stop("immediate")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
