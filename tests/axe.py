"""axe-core in real Chromium: the WCAG 2.1 A/AA violations of a page, its
shadow roots included (the widget's). axe-core comes from the npm registry
(`npm install --prefix .ci/node axe-core@4`, as `.ci/run` does); without it
the tests that need it are skipped, or fail when CONSULTBOT_REQUIRE_BROWSER=1."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
AXE = Path(os.environ.get("CONSULTBOT_AXE_JS", ROOT / ".ci/node/node_modules/axe-core/axe.min.js"))
AXE_PRESENT = AXE.exists()


def axe_or_skip() -> None:
    if AXE_PRESENT:
        return
    if os.environ.get("CONSULTBOT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"axe-core is missing at {AXE}: npm install --prefix .ci/node axe-core@4")
    pytest.skip(f"axe-core is missing at {AXE} (npm install --prefix .ci/node axe-core@4)")


async def violations(page: Any) -> list[dict[str, Any]]:
    """What axe-core finds on `page` against WCAG 2.1 A and AA: each rule's
    id and the first elements it names."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
    ]
