"""What a completed (or expired) session gives the consultation engine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.client import Client
from bot.deployment import BUNDLED_FLOWS, deploy_file
from storage import contributions, outbox
from tests.bot.test_conversation import DEMO


async def _events(service, type_: str):
    async with service.database.transaction() as s:
        return [e for e in await outbox.feed(s, limit=1000) if e.type == type_]


async def test_a_completed_session_carries_labels_wordings_and_no_unapproved_text(
    open_service, clock
):
    service = await open_service()
    await Client(service, now=clock).converse("alice", *DEMO)
    [event] = await _events(service, "contribution.completed")
    payload = event.payload
    assert payload["consultation"] == "mobilite"
    assert payload["flow_version"] == 1
    assert payload["channel"] == "client"
    assert payload["language"] == "fr"
    assert payload["partial"] is False
    mode = payload["answers"][0]
    assert (mode["question"], mode["type"], mode["value"], mode["labels"]) == (
        "mode",
        "choice",
        "train",
        ["Train"],
    )
    assert mode["wording"] == "Comment vous déplacez-vous le plus souvent ?"
    assert [a["question"] for a in payload["answers"]] == ["mode", "satisfaction", "postal_code"]
    assert "Orléans" not in repr(payload)  # the proposal awaits moderation
    assert payload["participant"].startswith("p_")
    assert service.pseudonym("client", "alice") not in repr(payload)


async def test_one_resident_has_unlinkable_pseudonyms_in_two_consultations(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("alice", *DEMO)
    async with service.database.transaction() as s:
        [mobilite] = await contributions.page(s, "mobilite")
    pseudonymizer = service._pseudonyms  # the service's key
    user_hash = service.pseudonym("client", "alice")
    assert mobilite.pseudonym == pseudonymizer.in_consultation("mobilite", user_hash)
    assert pseudonymizer.in_consultation("lycees", user_hash) != mobilite.pseudonym


async def test_an_expired_session_is_a_partial_contribution_only_if_the_flow_says_so(
    open_service, clock, tmp_path: Path
):
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("alice", "bonjour", "oui", "train")  # then leaves
    clock.advance(days=8)
    assert await service.expiry.expire_inactive(clock.now) == 1
    assert await _events(service, "contribution.partial") == []

    flow = tmp_path / "mobilite.yml"
    text = (BUNDLED_FLOWS / "mobilite.yml").read_text(encoding="utf-8")
    flow.write_text(text + "partial_contributions: true\n", encoding="utf-8")
    await deploy_file(service.database, flow, now=clock.now)
    await client.converse("bob", "bonjour", "oui", "voiture", "2")
    clock.advance(days=8)
    assert await service.expiry.expire_inactive(clock.now) == 1
    [event] = await _events(service, "contribution.partial")
    assert event.payload["partial"] is True
    assert event.payload["flow_version"] == 2
    assert {a["question"]: a["value"] for a in event.payload["answers"]} == {
        "mode": "car",
        "satisfaction": 2,
    }
    assert event.created_at == clock.now.astimezone(dt.UTC)


def test_an_other_choices_detail_leaves_once_approved_beside_its_answer():
    from bot.contributions import contributed_answers
    from flows.loader import parse_flow
    from storage.answers import StoredAnswer
    from storage.models import ModerationStatus

    flow = parse_flow((BUNDLED_FLOWS / "lycees.yml").read_text(encoding="utf-8"), "lycees.yml")
    asked = next(q for q in flow.questions if q.other_choice() is not None)
    other = asked.other_choice()
    assert other is not None
    now = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)

    def stored(id_: int, question_id: str, value, status=None, redacted=None):
        return StoredAnswer(
            id_, 1, question_id, value, None, "…", "fr", now, None, status, redacted, (), None
        )

    chosen = [other.id] if asked.type == "multi_choice" else other.id
    pending = [stored(2, f"{asked.id}.other", "la trottinette", ModerationStatus.PENDING)]
    approved = [
        stored(2, f"{asked.id}.other", "la trottinette", ModerationStatus.APPROVED, "trottinette")
    ]
    first = stored(1, asked.id, chosen)
    assert [a.question_id for a in contributed_answers(flow, [*pending, first])] == [asked.id]
    leaving = contributed_answers(flow, [*approved, first])
    assert [(a.question_id, a.type, a.value, a.labels) for a in leaving][1] == (
        f"{asked.id}.other",
        "free_text",
        "trottinette",
        (),
    )
