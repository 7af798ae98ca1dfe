"""A consultation whose flow says how to make Decidim proposals, and stored
contributions on it, written through the storage repositories as the
conversation service writes them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from storage import answers, consultations, contributions, participants, sessions
from storage.database import Database
from tests.storage.seeding import moderate

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
SECRET = "export-test-secret-key-0123456789abcdef"

FLOW = """\
id: velo
title: {fr: Le vélo dans la région, en: Cycling in the region}
languages: [fr, en]
consent: {fr: D'accord ?, en: Agreed?}
questions:
  - id: mode
    type: choice
    text: {fr: Comment venez-vous ?, en: How do you come?}
    choices:
      - {id: bike, label: {fr: Vélo, en: Bike}}
      - {id: car, label: {fr: Voiture, en: Car}}
  - id: area
    type: choice
    text: {fr: Où ?, en: Where?}
    choices:
      - {id: north, label: {fr: Nord, en: North}}
      - {id: south, label: {fr: Sud, en: South}}
  - id: themes
    type: multi_choice
    text: {fr: Thèmes ?, en: Themes?}
    choices:
      - {id: safety, label: {fr: Sécurité, en: Safety}}
      - {id: parking, label: {fr: Stationnement, en: Parking}}
  - id: score
    type: scale
    min: 1
    max: 5
    text: {fr: Note ?, en: Score?}
  - id: idea
    type: free_text
    optional: true
    text: {fr: Votre idée ?, en: Your idea?}
outro: {fr: Merci, en: Thanks}
"""

EXPORT = """\
export:
  decidim:
    body: idea
    title: {fr: "Vélo : {mode}", en: "Cycling: {mode}"}
    version: "0.30"
    scope: {question: area, ids: {north: 11, south: 12}}
    category: {question: themes, ids: {safety: 21, parking: 22}}
"""


@dataclass(frozen=True)
class Resident:
    language: str = "fr"
    mode: str = "bike"
    area: str = "north"
    themes: tuple[str, ...] = ("safety",)
    score: int = 4
    idea: str | None = None  # the raw text
    approved: str | None = None  # the moderator's redaction; None: left pending
    rejected: bool = False
    when: dt.datetime = NOW


async def deploy(database: Database, *, with_export: bool = True) -> int:
    async with database.transaction() as s:
        deployed = await consultations.deploy(
            s, "velo", FLOW + (EXPORT if with_export else ""), deployed_by="test", now=NOW
        )
    return deployed.version.id


async def contribute(database: Database, version_id: int, residents: list[Resident]) -> None:
    for n, resident in enumerate(residents):
        async with database.transaction() as s:
            participant = await participants.create(s, "web", f"{n:064x}", now=resident.when)
            stored = await sessions.create(s, participant.id, version_id, {}, now=resident.when)
            values: list[tuple[str, Any]] = [
                ("mode", resident.mode),
                ("area", resident.area),
                ("themes", list(resident.themes)),
                ("score", resident.score),
            ]
            for question, value in values:
                await answers.record(
                    s, stored.id, question, value, question_text=f"{question} ?",
                    language=resident.language, now=resident.when,
                )  # fmt: skip
            idea_id = None
            if resident.idea is not None:
                idea_id = await answers.record(
                    s, stored.id, "idea", resident.idea, question_text="Votre idée ?",
                    language=resident.language, now=resident.when, raw_text=resident.idea,
                    needs_moderation=True,
                )  # fmt: skip
            await contributions.record(
                s,
                session_id=stored.id,
                consultation_id="velo",
                flow_version_id=version_id,
                participant_id=participant.id,
                channel="web",
                language=resident.language,
                partial=False,
                pseudonym=f"p{n:031x}",
                now=resident.when,
                payload={},
            )
        if idea_id is not None and (resident.approved is not None or resident.rejected):
            await moderate(
                database, idea_id, approved=not resident.rejected, text=resident.approved or ""
            )
