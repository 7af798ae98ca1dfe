"""Deploying flows: validate a flow file, store it as a new version if it
changed, make it live. Sessions in progress stay on the version they started."""

from __future__ import annotations

import asyncio
import datetime as dt
import getpass
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

import flows
from flows.loader import parse_flow, read_flow_text
from flows.model import Flow
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
    async with database.transaction() as session:
        return await _deploy(session, flow, text, source, now, deployed_by or _operator())


async def _deploy(
    session: AsyncSession, flow: Flow, text: str, source: str, now: dt.datetime, by: str
) -> DeployResult:
    """Store `flow` (read from `text`) as live, audited as `by`'s, in `session`."""
    deployment = await consultations.deploy(
        session,
        flow.id,
        text,
        deployed_by=by,
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
        actor=by,
        subject=f"consultation:{flow.id}",
    )
    return DeployResult(flow.id, deployment.version.version, deployment.changed, source)


FLOW_SUFFIXES = (".yml", ".yaml")


async def deploy_initial(
    database: Database, folders: list[Path], *, now: dt.datetime
) -> list[DeployResult]:
    """On first start, with no consultation deployed yet, deploy the flows of
    `folders` (the bundled examples, then the configured folder): their
    .yml and .yaml files, all read and checked first (FlowError: nothing
    deployed), then deployed in one transaction, so that a process starting
    at the same time sees none of them or all (its `default_consultation`
    among them)."""
    paths = [
        path
        for folder in folders
        for path in sorted(p for p in folder.iterdir() if p.suffix in FLOW_SUFFIXES)
    ]
    texts = [(read_flow_text(path), str(path)) for path in paths]
    read = [await asyncio.to_thread(parse_flow, text, source) for text, source in texts]
    async with database.transaction() as session:
        await consultations.lock_first_deployment(session)
        if await consultations.live_versions(session):
            return []
        return [
            await _deploy(session, flow, text, source, now, "consultbot (first start)")
            for flow, (text, source) in zip(read, texts, strict=True)
        ]


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in containers without /etc/passwd entry
        return "unknown"
