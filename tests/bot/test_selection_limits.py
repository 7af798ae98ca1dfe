"""The most boxes the multiple choice a resident sees takes, as a channel that
ticks boxes one at a time asks it (bot.selection_limits), on both databases."""

from __future__ import annotations

from bot.button_steps import read as read_button
from bot.client import Client
from tests.bot.test_conversation_lycees import TO_TRAVEL_MINUTES


def step_of_buttons(replies) -> str:
    [step] = {read_button(b.payload)[1] for reply in replies for b in reply.buttons}
    return step


async def test_the_maximum_of_the_question_asked_and_of_no_other(open_service, clock):
    service = await open_service()
    client = Client(service, now=clock)
    assert await service.max_selections("client", "alice", "aaaaaaaa") is None  # a stranger
    await client.send("alice", "bonjour", consultation_id="lycees")
    await client.converse("alice", *TO_TRAVEL_MINUTES)
    modes = await client.send("alice", "30")
    shown = step_of_buttons(modes)
    assert await service.max_selections("client", "alice", shown) == 3
    rating = await client.send("alice", "train")  # answered: the keyboard is an old one
    assert await service.max_selections("client", "alice", shown) is None
    # a question that is no multiple choice has no maximum
    assert await service.max_selections("client", "alice", step_of_buttons(rating)) is None
