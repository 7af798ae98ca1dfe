"""What a transition's effects write: an answer with the comment beside it
(held for moderators), and an answer taken back with what was beside it."""

from __future__ import annotations

from bot.client import Client
from bot.contributions import ContributionRecorder
from bot.effect_writes import EffectWrites, Written
from flows.effects import AnswerRecorded, AnswerWithdrawn, comment_id
from storage import answers, participants, sessions
from storage.models import ModerationStatus


async def test_a_comment_is_kept_beside_its_answer_and_goes_when_the_answer_is_withdrawn(
    open_service, clock
):
    service = await open_service()
    await Client(service, now=clock).converse("alice", "bonjour", "oui")
    writes = EffectWrites(ContributionRecorder(service._pseudonyms))
    async with service.database.transaction() as s:
        user_hash = service.pseudonym("client", "alice")
        participant = await participants.find(s, "client", user_hash)
        assert participant is not None
        stored = await sessions.find_open(s, participant.id)
        assert stored is not None
        deployed = await service._catalog.version(s, stored.flow_version_id)
        written = Written(deployed, stored.id, participant.id, user_hash, "client", clock())
        said = AnswerRecorded(
            "mode", "train", "le train, surtout le soir", "Comment ?", "fr", comment="le soir"
        )
        await writes.apply(s, written, [said], None)
        current = {a.question_id: a for a in await answers.current(s, stored.id)}
        assert current["mode"].value == "train"
        assert current["mode"].moderation_status is None  # a choice: nothing to moderate
        assert current[comment_id("mode")].value == "le soir"
        assert current[comment_id("mode")].moderation_status == ModerationStatus.PENDING

        await writes.apply(s, written, [AnswerWithdrawn("mode")], None)
        assert await answers.current(s, stored.id) == []
