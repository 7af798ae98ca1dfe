"""Writing first to a Telegram resident (the team's messages, follow-ups), through
the fake Bot API."""

from __future__ import annotations

from bot.channels.telegram.address import ChatAddressCipher
from bot.channels.telegram.direct import TelegramDirect
from bot.channels.telegram.rendering import utf16_length
from bot.team_messages import MAX_TEXT_CHARS, shown_text
from tests.bot.channels.conftest import FAST, telegram_settings
from tests.bot.channels.fake_bot_api import FakeBotApi, Resident


async def test_a_team_message_full_of_emoji_reaches_the_resident_whole(fake: FakeBotApi):
    """Within the team's limit in characters, past Telegram's in UTF-16 units
    (an emoji counts two): it arrives as two messages, nothing lost."""
    settings = telegram_settings(fake)
    camille = Resident(7001)
    news = " ".join(["Les trains du soir reviennent 🚆🚲🚌🚉🎉 merci !"] * 100)[:MAX_TEXT_CHARS]
    text = shown_text(news, "fr")
    assert utf16_length(text) > 4096
    direct = TelegramDirect(settings, FAST)
    address = ChatAddressCipher.from_settings(settings).encrypt(camille.id).encode("ascii")
    try:
        assert await direct.send(address, text) is True
    finally:
        await direct.close()
    received = [m["text"] for m in fake.messages_to(camille)]
    assert len(received) == 2
    assert " ".join(received) == text
