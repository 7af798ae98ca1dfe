"""Deploying flows: validate a flow file, store it as a new version if it
changed, make it live. Sessions in progress stay on the version they started."""

from __future__ import annotations

import asyncio
import datetime as dt
import getpass
from dataclasses import dataclass
from pathlib import Path

import flows
from flows.loader import parse_flow, read_flow_text
from storage import audit, consultations
from storage.database import Database

BUNDLED_FLOWS = Path(flows.__file__).resolve().parent / "examples"
# The six messages that complete the demo consultation (a `simulate --script` file).
DEMO_SCRIPT = BUNDLED_FLOWS / "mobilite.script.txt"
AUDIT_DEPLOY = "flow.deploy"  # every deployment, in the audit log


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
    return await deploy_text(
        database, read_flow_text(path), str(path), now=now, deployed_by=deployed_by
    )


async def deploy_text(
    database: Database,
    text: str,
    source: str,
    *,
    now: dt.datetime,
    deployed_by: str | None = None,
) -> DeployResult:
    """Validate a flow's text (FlowError listing every problem otherwise) and
    make it live; nothing is stored unless it is valid. The deployment is in
    the audit log (in the same transaction) as `deployed_by`'s."""
    flow = await asyncio.to_thread(parse_flow, text, source)
    deployed_by = deployed_by or _operator()
    async with database.transaction() as session:
        deployment = await consultations.deploy(
            session,
            flow.id,
            text,
            deployed_by=deployed_by,
            now=now,
            title=flow.title.get(flow.languages[0]),
            source=source,
        )
        await audit.record(
            session,
            AUDIT_DEPLOY,
            {"version": deployment.version.version},
            now=now,
            details={"changed": "yes" if deployment.changed else "no (already live)"},
            actor=deployed_by,
            subject=f"consultation:{flow.id}",
        )
    return DeployResult(flow.id, deployment.version.version, deployment.changed, source)


FLOW_SUFFIXES = (".yml", ".yaml")


async def deploy_initial(
    database: Database, folders: list[Path], *, now: dt.datetime
) -> list[DeployResult]:
    """On first start, with no consultation deployed yet, deploy the flows of
    `folders` (the bundled examples, then the configured folder): their
    .yml and .yaml files."""
    async with database.transaction() as session:
        if await consultations.live_versions(session):
            return []
    return [
        await deploy_file(database, path, now=now, deployed_by="consultbot (first start)")
        for folder in folders
        for path in sorted(p for p in folder.iterdir() if p.suffix in FLOW_SUFFIXES)
    ]


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in containers without /etc/passwd entry
        return "unknown"
