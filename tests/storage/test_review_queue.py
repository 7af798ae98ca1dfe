"""The review queue filtered by question: only that question's pending
answers, oldest first, a page at a time, and how many there are."""

from storage import answers, participants, review_queue, sessions
from storage.database import Database
from storage.review_queue import QueueFilter
from tests.storage.seeding import NOW, Seeded


async def test_the_question_filter_pages_through_and_counts_that_questions_answers_only(
    database: Database, seeded: Seeded
):
    wanted = []
    async with database.transaction() as s:
        for n in range(6):
            resident, _ = await participants.get_or_create(s, "webchat", f"{n:064x}", now=NOW)
            run = await sessions.create(s, resident.id, seeded.flow_version_id, {}, now=NOW)
            for question in ("mode", "why") if n % 2 else ("why", "mode"):
                answer_id = await answers.record(
                    s,
                    run.id,
                    question,
                    f"{question} {n}",
                    question_text=question,
                    language="fr",
                    now=NOW,
                    raw_text=f"{question} {n}",
                    needs_moderation=True,
                )
                if question == "why":
                    wanted.append(answer_id)
        counted = await review_queue.count(s, QueueFilter(question_id="why"))
        stopped = await review_queue.count(s, QueueFilter(), at_most=4)
        first = await review_queue.page(s, QueueFilter(question_id="why"), limit=4)
        rest = await review_queue.page(s, QueueFilter(question_id="why"), after_id=first[-1].id)
        none = await review_queue.page(s, QueueFilter(question_id="nope"))
    assert [item.id for item in first + rest] == wanted
    assert {item.question_id for item in first + rest} == {"why"}
    assert none == []
    assert counted == 6  # every page's
    assert stopped == 5  # 12 in all, counted no further than "more than 4"
