"""Deploying flows: validate a flow file, store it as a new version if it
changed, make it live. Sessions in progress stay on the version they started."""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass
from pathlib import Path

import flows
from flows.loader import parse_flow, read_flow_text
from storage import consultations
from storage.database import Database

BUNDLED_FLOWS = Path(flows.__file__).resolve().parent / "examples"
# The six messages that complete the demo consultation (a `simulate --script` file).
DEMO_SCRIPT = BUNDLED_FLOWS / "mobilite.script.txt"


@dataclass(frozen=True, slots=True)
class DeployResult:
    consultation_id: str
    version: int
    changed: bool  # False: this exact flow was already live
    source: str


async def deploy_file(
    database: Database, path: Path, *, now: dt.datetime, deployed_by: str | None = None
) -> DeployResult:
    """Validate the flow at `path` (FlowError listing every problem otherwise)
    and make it live; nothing is stored unless it is valid."""
    text = read_flow_text(path)
    flow = parse_flow(text, str(path))
    async with database.transaction() as session:
        deployment = await consultations.deploy(
            session,
            flow.id,
            text,
            deployed_by=deployed_by or _operator(),
            now=now,
            title=flow.title.get(flow.languages[0]),
            source=str(path),
        )
    return DeployResult(flow.id, deployment.version.version, deployment.changed, str(path))


async def deploy_initial(
    database: Database, folders: list[Path], *, now: dt.datetime
) -> list[DeployResult]:
    """On first start, with no consultation deployed yet, deploy the flows of
    `folders` (the bundled examples, then the configured folder)."""
    async with database.transaction() as session:
        if await consultations.live_versions(session):
            return []
    return [
        await deploy_file(database, path, now=now, deployed_by="consultbot (first start)")
        for folder in folders
        for path in sorted(folder.glob("*.yml"))
    ]


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in containers without /etc/passwd entry
        return "unknown"
