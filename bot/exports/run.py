"""One export, end to end: check the request, stream the contributions into
the chosen format, put the file in place, and record it in the audit log.

Formats: `csv` and `xlsx` (`bot.exports.table`), `jsonl` (the API's contribution
objects, one a line), `decidim` (`bot.exports.decidim`: a CSV separated by `;`,
an XLSX, or a JSON array, after the name of the file given, CSV by default).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bot.api.serializer import PublicIds
from bot.exports import files
from bot.exports.cells import cell
from bot.exports.decidim import NoDecidimExport, Proposals
from bot.exports.json_lines import ContributionLines
from bot.exports.source import ContributionSource, ExportedConsultation, ExportError
from bot.exports.table import Table, text
from bot.pseudonyms import Pseudonymizer
from storage import audit
from storage.database import Database

FORMATS: Final = ("csv", "jsonl", "xlsx", "decidim")
DECIDIM_FILES: Final = {".csv": "csv", ".xlsx": "xlsx", ".json": "json"}
AUDIT_ACTION: Final = "contributions.export"


@dataclass(frozen=True, slots=True)
class ExportRequest:
    consultation_id: str
    format: str
    since: dt.datetime | None
    out: Path | None
    actor: str


@dataclass(frozen=True, slots=True)
class ExportResult:
    contributions: int
    rows: int  # lines, rows or objects written (a Decidim body split is several)
    kind: str  # the file kind written: csv, xlsx, jsonl, json


async def export(
    database: Database, pseudonyms: Pseudonymizer, request: ExportRequest
) -> ExportResult:
    """Write the export; ExportError (nothing written) if it cannot be made."""
    if request.format not in FORMATS:
        raise ExportError(f"unknown format {request.format!r}: use {', '.join(FORMATS)}")
    kind = _kind(request)
    source = ContributionSource(database)
    consultation = await source.open(request.consultation_id, request.since)
    ids = PublicIds(pseudonyms)
    proposals = _proposals(consultation, ids) if request.format == "decidim" else None
    counted = [0, 0]

    def counting(rows: int) -> None:
        counted[0] += 1
        counted[1] += rows

    with files.destination(request.out) as path:
        if kind == "xlsx":
            sheet = "proposals" if proposals else "contributions"
            with files.xlsx_writer(path, sheet) as sheet_rows:
                await _rows(source, consultation, request, ids, proposals, sheet_rows, counting)
        else:
            with files.text_stream(path) as stream:
                if kind == "jsonl":
                    lines = ContributionLines(ids)
                    async for page in source.pages(consultation, request.since):
                        stream.write(lines.text(page))
                        counted[0] += len(page)
                        counted[1] += len(page)
                elif kind == "json":
                    assert proposals is not None
                    with files.json_array(stream) as array:
                        async for page in source.pages(consultation, request.since):
                            for exported in page:
                                made = list(proposals.of(exported))
                                for proposal in made:
                                    array.object(proposal)
                                counting(len(made))
                else:
                    writer = files.CsvWriter(stream, ";" if proposals else ",")
                    await _rows(source, consultation, request, ids, proposals, writer, counting)
    result = ExportResult(counted[0], counted[1], kind)
    await _audit(database, request, result)
    return result


def _kind(request: ExportRequest) -> str:
    if request.format != "decidim":
        return request.format
    if request.out is None:
        return "csv"
    suffix = request.out.suffix.lower()
    if suffix not in DECIDIM_FILES:
        raise ExportError(
            f"Decidim imports .csv, .xlsx or .json files: name the file {request.out.stem}.csv,"
            f" .xlsx or .json (not {request.out.suffix or 'without an extension'})"
        )
    return DECIDIM_FILES[suffix]


def _proposals(consultation: ExportedConsultation, ids: PublicIds) -> Proposals:
    try:
        return Proposals(consultation, ids)
    except NoDecidimExport:
        raise ExportError(
            f"the flow of {consultation.live.consultation_id!r} does not say how its "
            "contributions become Decidim proposals: add export: {decidim: {body: QUESTION}} "
            "to it (README, Exports) and deploy it again"
        ) from None


async def _rows(
    source: ContributionSource,
    consultation: ExportedConsultation,
    request: ExportRequest,
    ids: PublicIds,
    proposals: Proposals | None,
    writer: files.RowWriter,
    counting: Callable[[int], None],
) -> None:
    if proposals is not None:
        writer.rows([[cell(key) for key in proposals.keys]])
        async for page in source.pages(consultation, request.since):
            rows = []
            for exported in page:
                made = [
                    [cell(text(p[key])) for key in proposals.keys] for p in proposals.of(exported)
                ]
                rows += made
                counting(len(made))
            writer.rows(rows)
        return
    table = Table(consultation, ids)
    writer.rows([table.header()])
    async for page in source.pages(consultation, request.since):
        writer.rows(table.rows(page))
        for _ in page:
            counting(1)


async def _audit(database: Database, request: ExportRequest, result: ExportResult) -> None:
    details = {"format": request.format, "file": result.kind}
    details["to"] = "stdout" if request.out is None else request.out.name
    if request.since is not None:
        details["since"] = request.since.isoformat()
    async with database.transaction() as session:
        await audit.record(
            session,
            AUDIT_ACTION,
            {"contributions": result.contributions, "rows": result.rows},
            now=dt.datetime.now(dt.UTC),
            details=details,
            actor=request.actor,
            subject=f"consultation:{request.consultation_id}",
        )
