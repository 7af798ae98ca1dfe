"""Messages from the consultation team, through the real conversation service on
both databases; Telegram through the fake Bot API on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.channel_contract import InboundMessage
from bot.channels.telegram.address import ChatAddressCipher
from bot.conversation import ConversationService
from bot.team_messages import InvalidReply, NotAsked, Outcome, TeamMessages, shown_text
from storage import audit, participants, sessions, team_messages
from storage.models import TeamMessageState
from tests.bot.channels.fake_bot_api import TOKEN, FakeBotApi, Resident
from tests.bot.conftest import Clock, ServiceFactory
from tests.serving import settings_for

MODERATOR = "moderator-7"

FR_HEADER = "Message de l'équipe de la consultation :"


class People:
    """Residents talking to the real service, and the team answering them."""

    def __init__(self, service: ConversationService, messages: TeamMessages, clock: Clock) -> None:
        self.service, self.messages, self.clock = service, messages, clock
        self.count = 0

    async def say(
        self, channel: str, user: str, text: str, address: str | None = None
    ) -> list[str]:
        self.count += 1
        self.clock.advance(seconds=5)
        message = InboundMessage(
            channel, user, text, f"m{self.count}", self.clock(), address=address
        )
        return [reply.text for reply in await self.service.handle(message)]

    async def ask_for_a_person(self, channel: str, user: str, address: str | None = None) -> int:
        for text in ("bonjour", "oui", "humain"):
            replies = await self.say(channel, user, text, address)
        assert "un membre de l'équipe" in replies[0]
        return await self.session_of(channel, user)

    async def session_of(self, channel: str, user: str) -> int:
        async with self.service.database.transaction() as s:
            found = await participants.find(s, channel, self.service.pseudonym(channel, user))
            assert found is not None
            latest = await sessions.latest(s, found.id)
            assert latest is not None
            return latest.id

    async def state_of(self, session_id: int) -> object:
        async with self.service.database.transaction() as s:
            return (await sessions.get(s, session_id)).state

    async def reply(self, session_id: int, text: str) -> Outcome:
        return await self.messages.reply(session_id, text, MODERATOR, self.clock())


@pytest.fixture
async def people(
    open_service: ServiceFactory, database_url: str, clock: Clock, fake: FakeBotApi
) -> AsyncIterator[People]:
    environ = {"telegram__bot_token": TOKEN, "telegram__api_base_url": fake.base_url}
    service = await open_service(**environ)
    messages = TeamMessages.for_settings(service.database, settings_for(database_url, **environ))
    yield People(service, messages, clock)
    await messages.close()


async def test_a_rest_resident_gets_the_reply_before_the_bots_next_replies(people: People):
    session_id = await people.ask_for_a_person("rest", "alice")
    [waiting] = await people.messages.inbox()
    assert (waiting.session_id, waiting.channel, waiting.consultation_id) == (
        session_id,
        "rest",
        "mobilite",
    )
    state = await people.state_of(session_id)

    outcome = await people.reply(session_id, "Bonjour Alice, nous regardons votre question.")

    assert outcome is Outcome.QUEUED
    assert await people.state_of(session_id) == state  # the questionnaire is undisturbed
    replies = await people.say("rest", "alice", "train")
    assert replies[0] == f"{FR_HEADER}\nBonjour Alice, nous regardons votre question."
    assert "1 à 5" in replies[-1]  # and the questionnaire carries on
    assert (await people.say("rest", "alice", "4"))[0] != replies[0]  # shown once
    conversation = await people.messages.conversation(session_id)
    team_lines = [line for line in conversation.transcript if line.from_team]
    assert [line.text for line in team_lines] == ["Bonjour Alice, nous regardons votre question."]
    assert [m.state for m in conversation.messages] == [TeamMessageState.DELIVERED]


async def test_a_telegram_resident_gets_the_reply_in_their_chat(
    people: People, fake: FakeBotApi, database_url: str
):
    camille = Resident(4242)
    cipher = ChatAddressCipher.from_settings(settings_for(database_url))
    session_id = await people.ask_for_a_person("telegram", "4242", cipher.encrypt(camille.id))

    assert await people.reply(session_id, "Bonjour, voici notre réponse.") is Outcome.DELIVERED

    [sent] = fake.messages_to(camille)
    assert sent["text"] == f"{FR_HEADER}\nBonjour, voici notre réponse."
    assert "un membre de l'équipe" not in (await people.say("telegram", "4242", "train"))[0]


async def test_the_reply_is_in_the_language_the_resident_chose_afterwards(
    people: People, fake: FakeBotApi, database_url: str, clock: Clock
):
    camille = Resident(4244)  # consented in French, then chose English with /langue
    cipher = ChatAddressCipher.from_settings(settings_for(database_url))
    session_id = await people.ask_for_a_person("telegram", "4244", cipher.encrypt(camille.id))
    await people.service.change_language("telegram", "4244", "en", clock())

    assert await people.reply(session_id, "Hello, here is our answer.") is Outcome.DELIVERED

    [sent] = fake.messages_to(camille)
    assert sent["text"] == "Message from the consultation team:\nHello, here is our answer."


async def test_a_resident_who_blocked_the_bot_is_marked_unreachable(
    people: People, fake: FakeBotApi, database_url: str
):
    camille = Resident(4243)
    address = ChatAddressCipher.from_settings(settings_for(database_url)).encrypt(camille.id)
    session_id = await people.ask_for_a_person("telegram", "4243", address)
    fake.block(camille)

    assert await people.reply(session_id, "Bonjour !") is Outcome.UNREACHABLE

    assert fake.messages_to(camille) == []
    async with people.service.database.transaction() as s:
        pseudonym = people.service.pseudonym("telegram", "4243")
        resident = await participants.find(s, "telegram", pseudonym)
        [message] = await team_messages.for_session(s, session_id)
    assert resident is not None
    assert not resident.reachable
    assert message.state is TeamMessageState.UNREACHABLE
    # They unblock the bot and write again: the reply comes first.
    fake.blocked.clear()
    assert (await people.say("telegram", "4243", "train", address))[0].endswith("Bonjour !")


async def test_handled_requests_leave_the_inbox_and_asking_again_brings_them_back(
    people: People,
):
    first = await people.ask_for_a_person("rest", "alice")
    second = await people.ask_for_a_person("web", "bob")
    assert [r.session_id for r in await people.messages.inbox()] == [first, second]
    assert [r.session_id for r in await people.messages.inbox(consultations=["lycees"])] == []

    assert await people.messages.mark_handled(first, True, MODERATOR, people.clock())
    assert not await people.messages.mark_handled(first, True, MODERATOR, people.clock())
    assert [r.session_id for r in await people.messages.inbox()] == [second]

    await people.say("rest", "alice", "humain")
    assert [r.session_id for r in await people.messages.inbox()] == [second, first]
    assert await people.messages.mark_handled(second, True, MODERATOR, people.clock())
    assert await people.messages.mark_handled(second, False, MODERATOR, people.clock())
    assert [r.session_id for r in await people.messages.inbox()] == [second, first]
    async with people.service.database.transaction() as s:
        actions = [(r.action, r.actor, r.subject) for r in await audit.recent(s)]
    assert ("human.reopened", MODERATOR, f"session:{second}") in actions


async def test_a_bad_reply_is_refused_and_changes_nothing(people: People):
    session_id = await people.ask_for_a_person("rest", "alice")
    with pytest.raises(InvalidReply, match="empty"):
        await people.reply(session_id, "   ")
    with pytest.raises(InvalidReply, match="at most"):
        await people.reply(session_id, "x" * 5000)
    with pytest.raises(NotAsked):
        await people.messages.mark_handled(
            await _quiet_conversation(people), True, MODERATOR, people.clock()
        )
    conversation = await people.messages.conversation(session_id)
    assert conversation.messages == []
    assert not any(line.from_team for line in conversation.transcript)


async def test_a_reply_to_an_erased_conversation_says_so(people: People):
    session_id = await people.ask_for_a_person("rest", "alice")
    await people.reply(session_id, "Bonjour")
    await people.say("rest", "alice", "supprimer mes données")
    await people.say("rest", "alice", "oui")

    assert await people.reply(session_id, "Encore là ?") is Outcome.ERASED
    assert await people.messages.inbox() == []
    async with people.service.database.transaction() as s:
        assert await team_messages.for_session(s, session_id) == []


async def test_after_an_unblock_what_waited_goes_out_before_a_later_reply(
    people: People, fake: FakeBotApi, database_url: str
):
    camille = Resident(4245)
    address = ChatAddressCipher.from_settings(settings_for(database_url)).encrypt(camille.id)
    session_id = await people.ask_for_a_person("telegram", "4245", address)
    fake.block(camille)
    assert await people.reply(session_id, "Premier message.") is Outcome.UNREACHABLE
    fake.blocked.clear()  # they unblock the bot, and write nothing yet

    assert await people.reply(session_id, "Second message.") is Outcome.DELIVERED

    assert [m["text"] for m in fake.messages_to(camille)] == [
        f"{FR_HEADER}\nPremier message.",
        f"{FR_HEADER}\nSecond message.",
    ]
    async with people.service.database.transaction() as s:
        states = [m.state for m in await team_messages.for_session(s, session_id)]
    assert states == [TeamMessageState.DELIVERED, TeamMessageState.DELIVERED]
    assert "Premier" not in " ".join(await people.say("telegram", "4245", "train", address))


async def _quiet_conversation(people: People) -> int:
    for text in ("bonjour", "oui"):
        await people.say("rest", "quiet", text)
    return await people.session_of("rest", "quiet")


def test_the_header_comes_from_the_text_catalogue_in_the_residents_language():
    assert shown_text("Hello", "en") == "Message from the consultation team:\nHello"
    assert shown_text("Bonjour", "fr") == f"{FR_HEADER}\nBonjour"
    assert shown_text("Bonjour", None) == f"{FR_HEADER}\nBonjour"
