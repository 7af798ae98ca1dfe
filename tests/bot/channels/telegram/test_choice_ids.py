"""A tapped Telegram button is the choice it was shown for, while the same id
typed is read as a word of the resident's language: at the demo's travel
question, the Voiture button's payload is the id `car`, and "car" typed in
French is a coach."""

from __future__ import annotations

from tests.bot.channels.conftest import Chat
from tests.bot.channels.fake_bot_api import Resident


async def test_the_voiture_button_is_the_car_and_car_typed_is_the_bus(fake, bot, conversations):
    tapping = Chat(fake, bot, Resident(2001))
    await tapping.say("/start")
    await tapping.tap("Oui")
    await tapping.tap("Voiture")
    typing = Chat(fake, bot, Resident(2002))
    await typing.say("/start")
    await typing.tap("Oui")
    await typing.say("car")
    assert (await conversations.answers(2001))["mode"] == "car"
    assert (await conversations.answers(2002))["mode"] == "bus"
