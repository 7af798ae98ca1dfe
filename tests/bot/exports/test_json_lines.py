"""`--format jsonl` writes the API's contribution objects as `json.dumps` writes
them, character for character, whatever the answers hold; on SQLite and
PostgreSQL, over several pages."""

from __future__ import annotations

import json

from sqlalchemy.ext.asyncio import AsyncSession

from bot.api.serializer import PublicIds, contribution_json
from bot.contributions import from_stored
from bot.exports.json_lines import ContributionLines
from bot.exports.source import ContributionSource
from bot.flow_catalog import DeployedFlow, FlowCatalog
from bot.keys import Keys
from bot.pseudonyms import Pseudonymizer
from storage import contributions
from storage.contributions import LeavingAnswer, StoredContribution
from storage.database import Database
from tests.bot.exports.seeding import NOW, Resident, contribute, deploy

ODD = 'guillemets " \\ barre, é ü 中文 🚲, \u2028 séparateur, \x07 cloche, </script>'


async def test_each_line_is_the_api_object_as_json_dumps_writes_it(database: Database):
    version = await deploy(database)
    await contribute(
        database,
        version,
        [
            Resident(idea=ODD, approved=ODD),
            Resident(language="en", mode="car", themes=(), score=True, idea="x", approved="y"),
            Resident(score=4.5, themes=("parking", "safety"), idea="pas encore"),
            Resident(mode="gone", area="nowhere", score=-2, idea="non", rejected=True),
            Resident(language="de", score=1e20, when=NOW),
        ],
    )  # fmt: skip
    ids = PublicIds(Pseudonymizer(Keys(b"json lines test secret, long enough")))
    source = ContributionSource(database, page=2)
    consultation = await source.open("velo", None)
    lines = ContributionLines(ids)
    written = "".join([lines.text(page) async for page in source.pages(consultation, None)])

    catalog = FlowCatalog()

    async def read(
        session: AsyncSession,
    ) -> tuple[list[StoredContribution], dict[int, list[LeavingAnswer]], dict[int, DeployedFlow]]:
        stored = await contributions.page(session, "velo", limit=100)
        current = await contributions.answers_of(session, stored)
        flows = {row.flow_version_id: await catalog.version(session, version) for row in stored}
        return stored, current, flows

    stored, current, flows = await catalog.within(database, read, read_only=True)
    expected = "".join(
        json.dumps(
            contribution_json(
                from_stored(row, flows[row.flow_version_id], current[row.session_id]), ids
            ),
            ensure_ascii=False,
            separators=(",", ":"),
        )
        + "\n"
        for row in stored
    )
    assert len(stored) == 5
    assert written == expected
    assert ODD in [a["value"] for a in json.loads(written.split("\n")[0])["answers"]]
