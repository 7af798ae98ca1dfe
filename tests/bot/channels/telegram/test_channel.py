"""The Telegram channel in polling mode, python-telegram-bot against the fake Bot
API on loopback: a resident completes the demo consultation, and Telegram's real
behaviour (duplicates, 429 bursts, 5xx, blocked bots, odd messages) does not
break it."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.channel_contract import InboundMessage
from bot.channels.telegram.bot import TelegramBot, running_bot
from bot.channels.telegram.rendering import Toggle, confirmed_text
from flows.replies import Button, Reply
from tests.bot.channels.conftest import FAST, WAITS, Chat, Recorder, telegram_settings
from tests.bot.channels.fake_bot_api import TOKEN, FakeBotApi, Resident
from tests.serving import DEMO, settings_for, start_service

ROOT = Path(__file__).resolve().parents[4]
PROPOSAL = DEMO[-1]


def taps(conversations: Recorder) -> list[Any]:
    """The messages that came from buttons."""
    return [m for m in conversations.handled if m.message_id.startswith("k")]


class ScriptedReplies:
    """Replies chosen by the test, for what the bundled flows never say (a
    4,000-word text, a multi-choice keyboard, a failing service)."""

    def __init__(self, respond: Callable[[InboundMessage], Awaitable[Sequence[Reply]]]) -> None:
        self.respond = respond
        self.handled: list[InboundMessage] = []

    async def handle(self, message: InboundMessage) -> Sequence[Reply]:
        self.handled.append(message)
        return await self.respond(message)


@asynccontextmanager
async def scripted_bot(
    fake: FakeBotApi, respond: Any, default_language: str = "fr"
) -> AsyncIterator[TelegramBot]:
    settings = telegram_settings(fake).model_copy(update={"default_language": default_language})
    async with running_bot(settings, ScriptedReplies(respond), policy=FAST, poll_timeout=1) as bot:
        yield bot


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in messages]


async def test_a_resident_completes_the_demo_by_typing(fake, bot, conversations, caplog):
    caplog.set_level("INFO")
    chat = Chat(fake, bot, Resident(1001))
    first = await chat.say("bonjour")
    assert any("Acceptez-vous" in text for text in texts(first))
    await chat.say("oui")
    assert "Comment vous déplacez-vous" in chat.messages[-1]["text"]
    await chat.say("train")
    await chat.say("4")
    await chat.say("45000")
    last = await chat.say(PROPOSAL)
    assert last[-1]["text"].startswith("Merci")
    assert (await conversations.answers(1001)) == {
        "mode": "train",
        "satisfaction": 4,
        "postal_code": "45000",
        "proposal": PROPOSAL,
    }
    assert TOKEN not in caplog.text
    assert PROPOSAL not in caplog.text


async def test_a_first_oui_never_shown_the_consent_question_enrols_nobody(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1099))
    first = await chat.say("oui")
    assert any("Acceptez-vous" in text for text in texts(first))
    assert await conversations.participant(1099) is None
    await chat.tap("Oui")  # the question they were shown
    assert "Comment vous déplacez-vous" in chat.messages[-1]["text"]
    assert await conversations.participant(1099) is not None


async def test_no_telegram_id_is_stored_in_clear(fake, bot, conversations):
    """Residents are pseudonymous: neither their user id nor their chat id (the
    same number in a private chat) appears anywhere in the database."""
    from sqlalchemy import text as sql

    resident = Resident(987654321)
    chat = Chat(fake, bot, resident)
    await chat.say("/start")
    await chat.tap("Oui")
    await chat.tap("Train")
    await chat.say("4")
    async with conversations.service.database.transaction() as s:
        tables = ["participants", "sessions", "transcript_lines", "answers", "processed_inbound"]
        dump = [(t, (await s.execute(sql(f"SELECT * FROM {t}"))).all()) for t in tables]
    assert all(rows for _, rows in dump)
    for table, rows in dump:
        assert "987654321" not in repr(rows), table
    # The chat id is kept, encrypted, to write to the resident later.
    from bot.channels.telegram.address import ChatAddressCipher

    participant = await conversations.participant(resident.id)
    cipher = ChatAddressCipher.from_settings(telegram_settings(fake))
    assert cipher.decrypt(participant.address.decode("ascii")) == 987654321


async def test_a_resident_completes_the_demo_by_buttons(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1002))
    await chat.say("/start")
    consent = chat.last_keyboard()
    assert [b["text"] for b in consent["reply_markup"]["inline_keyboard"][0]] == ["Oui", "Non"]
    await chat.tap("Oui")
    mode = chat.last_keyboard()
    assert "Comment vous déplacez-vous" in mode["text"]
    await chat.tap("Train")
    await chat.tap("4")
    await chat.say("45000")
    last = await chat.say(PROPOSAL)
    assert last[-1]["text"].startswith("Merci")
    assert (await conversations.answers(1002))["mode"] == "train"
    assert (await conversations.answers(1002))["satisfaction"] == 4
    # every tap answered, and each answered keyboard gone with the choice written under it
    assert len(fake.callback_answers) == 3
    assert "reply_markup" not in fake.message_now(mode)
    assert fake.message_now(mode)["text"].endswith("✓ Train")
    assert fake.message_now(consent)["text"].endswith("✓ Oui")


async def test_the_command_menu_is_registered_in_french_and_english(fake, bot):
    assert {"fr", "en", ""} <= set(fake.commands)
    french = {c["command"]: c["description"] for c in fake.commands["fr"]}
    english = {c["command"]: c["description"] for c in fake.commands["en"]}
    assert {"start", "help", "stop", "restart", "supprimer", "langue"} <= set(french)
    assert french["supprimer"] == "Supprimer mes données"
    assert english["supprimer"] == "Delete my data"


async def test_an_english_resident_is_answered_in_english(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1003, language_code="en-GB"))
    replies = await chat.say("hello")
    assert any("Do you agree?" in text for text in texts(replies))
    assert conversations.handled[-1].language == "en"


async def test_the_language_chosen_is_kept_for_the_channel_s_texts_after_a_restart(
    fake, conversations
):
    """Chosen with /langue, kept with the resident: a restarted bot (or another
    worker) still speaks it, not the Telegram client's language."""
    resident = Resident(1042)  # a French Telegram client
    settings = telegram_settings(fake)
    async with running_bot(settings, conversations, policy=FAST, poll_timeout=1) as first:
        chat = Chat(fake, first, resident)
        await chat.say("bonjour")
        await chat.tap("Oui")
        await chat.say("/langue English")
    assert (await conversations.participant(1042)).language == "en"
    async with running_bot(settings, conversations, policy=FAST, poll_timeout=1) as second:
        chat.attach(second)
        [notice] = await chat.settle(fake.user_sends_content(resident, "photo"))
    assert notice["text"].startswith("Sorry")


async def test_a_deep_link_chooses_the_consultation(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1004))
    await chat.say("/start mobilite")
    assert conversations.handled[-1].consultation_id == "mobilite"
    assert conversations.handled[-1].text == "/start"
    await chat.say("/start ../../etc/passwd")  # not a consultation id: no choice made
    assert conversations.handled[-1].consultation_id is None


async def test_a_poster_deep_link_carries_its_source_tag(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1014))
    await chat.say("/start mobilite_S_gare-tours")
    assert conversations.handled[-1].consultation_id == "mobilite"
    assert conversations.handled[-1].source == "gare-tours"
    await chat.say("/start mobilite_S_GARE")  # not a source tag: ignored
    assert conversations.handled[-1].consultation_id == "mobilite"
    assert conversations.handled[-1].source is None


async def test_commands_reach_the_service_as_words_it_understands(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1005))
    await chat.say("bonjour")
    for command in ["/help", "/stop", "/supprimer", "/restart", "/help@consultbot_test_bot"]:
        await chat.say(command)
        assert conversations.handled[-1].text == command  # nlu reads slash commands


async def test_the_language_command_offers_both_and_switches(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1006))
    offered = await chat.say("/langue")
    assert [b["text"] for b in offered[0]["reply_markup"]["inline_keyboard"][0]] == [
        "Français",
        "English",
    ]
    switched = await chat.tap("English")
    assert "Do you agree?" in switched[-1]["text"]  # the consent, asked again in English
    await chat.say("yes")
    assert "How do you usually travel?" in texts(chat.messages)[-1]
    assert conversations.handled[-1].language == "en"


async def test_the_language_command_switches_a_conversation_under_way(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1016))
    await chat.say("bonjour")
    await chat.say("oui")
    await chat.say("/langue en")
    assert "How do you usually travel?" in texts(chat.messages)[-1]
    await chat.say("by train")
    assert "From 1 to 5" in texts(chat.messages)[-1]


async def test_a_duplicated_update_is_processed_once(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1007))
    await chat.say("bonjour")
    update = fake.user_sends(chat.resident, "oui")
    again = fake.push(dict(update))  # the same update delivered twice
    await chat.settle(again)
    assert len([m for m in conversations.handled if m.text == "oui"]) == 1
    assert texts(chat.messages).count(texts(chat.messages)[-1]) == 1


async def test_the_same_button_pressed_twice_answers_once(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1008))
    await chat.say("bonjour")
    consent = chat.last_keyboard()
    first = fake.user_taps(chat.resident, consent, "Oui")
    # a double tap: the second press arrives with another update and query id
    second = fake.user_taps(chat.resident, consent, "Oui", data=first["callback_query"]["data"])
    await chat.settle(second)
    await chat.fake.wait_for(lambda: first["update_id"] in chat.processed)
    assert len(taps(conversations)) == 1
    assert len([t for t in texts(chat.messages) if "Comment vous déplacez-vous" in t]) == 1
    assert len(fake.callback_answers) == 2  # both answered, no spinner left


async def test_an_old_button_cannot_answer_again(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1009))
    await chat.say("bonjour")
    consent = chat.last_keyboard()
    data = fake.button_data(consent, "Oui")
    await chat.tap("Oui")
    replayed = fake.user_taps(chat.resident, consent, "Oui", data=data)
    await chat.settle(replayed)
    assert fake.callback_answers[-1]["text"] == "Vous avez déjà répondu à cette question."
    assert len(taps(conversations)) == 1


async def test_a_callback_we_never_issued_is_refused(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1010))
    await chat.say("bonjour")
    consent = chat.last_keyboard()
    handled = len(conversations.handled)
    for data in ["atampered0oui", "x", "a" + "A" * 63, "delete_everything"]:
        forged = fake.user_taps(chat.resident, consent, "Oui", data=data)
        await chat.settle(forged)
    assert len(conversations.handled) == handled
    assert [a["text"] for a in fake.callback_answers] == [
        "Ce bouton n'est plus valable. Écrivez votre réponse, s'il vous plaît."
    ] * 4
    # the real button still works
    await chat.tap("Oui")
    assert "Comment vous déplacez-vous" in chat.messages[-1]["text"]


async def test_buttons_issued_to_another_chat_are_refused(fake, bot, conversations):
    alice, bob = Chat(fake, bot, Resident(1011)), Chat(fake, bot, Resident(1012))
    await alice.say("bonjour")
    await bob.say("bonjour")
    stolen = fake.button_data(alice.last_keyboard(), "Oui")
    forged = fake.user_taps(bob.resident, bob.last_keyboard(), "Oui", data=stolen)
    await bob.settle(forged)
    assert fake.callback_answers[-1]["text"].startswith("Ce bouton n'est plus valable")


async def test_a_burst_of_429_is_waited_out(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1013))
    fake.fail_next(3, 429, retry_after=3)
    WAITS.seconds.clear()
    replies = await chat.say("bonjour")
    assert WAITS.seconds == [3, 3, 3]  # what Telegram asked, not slept for real
    assert any("Acceptez-vous" in text for text in texts(replies))
    refused = [m for m, _ in fake.calls if m == "sendMessage"]
    assert len(refused) == len(replies) + 3  # each 429 retried, nothing sent twice
    assert len(texts(replies)) == len(set(texts(replies)))


async def test_server_errors_are_retried_with_backoff(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1014))
    fake.fail_next(2, 502)
    fake.fail_next(1, 500)
    replies = await chat.say("bonjour")
    assert any("Acceptez-vous" in text for text in texts(replies))
    sent = [m for m, _ in fake.calls if m == "sendMessage"]
    assert len(sent) == len(replies) + 3  # each failure retried, nothing sent twice
    assert len(texts(replies)) == len(set(texts(replies)))


async def test_replies_lost_to_an_outage_are_sent_when_the_update_comes_again(
    fake, bot, conversations
):
    """sendMessage failing past every retry: the answer is stored, the update
    is left unconfirmed, and its redelivery sends the kept replies, once."""
    chat = Chat(fake, bot, Resident(1015))
    await chat.say("bonjour")
    fake.fail_next(FAST.max_attempts, 502)
    replies = await chat.say("oui")  # done once the redelivery sent the replies
    assert "Comment vous déplacez-vous" in replies[-1]["text"]
    assert len(texts(replies)) == len(set(texts(replies)))
    assert [m.text for m in conversations.handled].count("oui") == 2  # claimed once
    await chat.tap("Train")
    assert (await conversations.answers(1015)) == {"mode": "train"}
    other = Chat(fake, bot, Resident(1016))
    assert await other.say("bonjour")


async def test_a_message_sent_during_an_outage_waits_for_the_replies_before_it(
    fake, bot, conversations
):
    """The resident's next message is handled after the question they had not
    seen yet reached them, never before."""
    chat = Chat(fake, bot, Resident(1025))
    await chat.say("bonjour")
    fake.fail_next(FAST.max_attempts, 502)
    fake.user_sends(chat.resident, "oui")
    await chat.settle(fake.user_sends(chat.resident, "train"))
    shown = texts(chat.messages)
    mode = next(i for i, t in enumerate(shown) if "Comment vous déplacez-vous" in t)
    satisfaction = next(i for i, t in enumerate(shown) if "satisfait" in t)
    assert mode < satisfaction
    assert (await conversations.answers(1025)) == {"mode": "train"}


async def test_a_failed_answer_to_a_tap_never_stops_the_replies(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1026))
    await chat.say("bonjour")
    consent = chat.last_keyboard()
    fake.fail_next(FAST.max_attempts, 502, methods=frozenset({"answerCallbackQuery"}))
    replies = await chat.tap("Oui")
    assert "Comment vous déplacez-vous" in replies[-1]["text"]
    assert fake.message_now(consent)["text"].endswith("✓ Oui")


async def test_replies_to_a_tap_lost_to_an_outage_come_with_the_redelivery(
    fake, bot, conversations
):
    chat = Chat(fake, bot, Resident(1027))
    await chat.say("bonjour")
    fake.fail_next(FAST.max_attempts, 502, methods=frozenset({"sendMessage"}))
    replies = await chat.tap("Oui")
    assert "Comment vous déplacez-vous" in replies[-1]["text"]
    assert not any("déjà" in text for text in texts(replies))
    await chat.tap("Train")
    assert (await conversations.answers(1027)) == {"mode": "train"}


async def test_a_blocked_resident_is_marked_unreachable_and_not_sent_to(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1017))
    await chat.say("bonjour")
    fake.block(chat.resident)
    await chat.say("oui")  # the answer is stored, the reply refused with 403
    assert (await conversations.participant(1017)).reachable is False
    calls = len(fake.calls)
    await chat.say("train")  # blocked again (the fake still refuses): no retry storm
    assert (await conversations.answers(1017))["mode"] == "train"
    assert len([m for m, _ in fake.calls[calls:] if m == "sendMessage"]) <= 1


async def test_a_my_chat_member_kick_marks_unreachable(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1018))
    await chat.say("bonjour")
    await chat.say("oui")
    assert (await conversations.participant(1018)).reachable is True
    update = fake.user_blocks(chat.resident)
    await chat.settle(update)
    assert (await conversations.participant(1018)).reachable is False


async def test_an_edited_message_changes_nothing(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1019))
    await chat.say("bonjour")
    sent = fake.user_sends(chat.resident, "oui")
    await chat.settle(sent)
    handled = len(conversations.handled)
    notice = await chat.settle(fake.user_edits(chat.resident, sent, "non"))
    assert len(conversations.handled) == handled
    assert "modifié un message" in notice[0]["text"]


@pytest.mark.parametrize("kind", ["photo", "voice", "sticker", "location", "contact"])
async def test_non_text_messages_get_a_polite_text_only(fake, bot, conversations, kind, caplog):
    chat = Chat(fake, bot, Resident(1020))
    caplog.set_level("INFO", logger="bot.channels.telegram.channel")
    replies = await chat.settle(fake.user_sends_content(chat.resident, kind))
    assert replies[0]["text"].startswith("Désolé, je ne comprends que le texte")
    assert conversations.handled == []
    assert kind in caplog.text
    assert "+33600000000" not in caplog.text


async def test_long_replies_are_split_under_4096(fake):
    long_text = ("Une phrase assez longue pour remplir un message. " * 200).strip()

    async def handle(message):
        return [Reply(long_text, (Button("Oui", "oui"), Button("Non", "non")))]

    async with scripted_bot(fake, handle) as bot:
        chat = Chat(fake, bot, Resident(1021))
        replies = await chat.say("bonjour")
    assert len(replies) == 3
    assert all(len(m["text"]) <= 4096 for m in replies)
    assert " ".join(texts(replies)) == long_text
    assert [("reply_markup" in m) for m in replies] == [False, False, True]


async def test_chats_run_concurrently_and_each_stays_in_order(fake, bot, conversations):
    residents = [Chat(fake, bot, Resident(2000 + n)) for n in range(10)]
    script = DEMO
    updates = []
    for text in script:  # everybody types the next line before any reply arrives
        updates += [fake.user_sends(chat.resident, text) for chat in residents]
    for chat in residents:
        for update in updates:
            if update["message"]["chat"]["id"] == chat.resident.id:
                await chat.settle(update)
    for chat in residents:
        assert chat.messages[-1]["text"].startswith("Merci")
        assert (await conversations.answers(chat.resident.id))["satisfaction"] == 4


async def test_a_restart_in_the_middle_of_a_conversation(fake, sqlite_url, interpreter):
    """The whole process restarts (bot and service, same database) between a
    question and its answer; a button shown before the restart still answers."""
    settings = telegram_settings(fake)
    resident = Resident(1022)
    service = await start_service(settings_for(sqlite_url))
    async with running_bot(settings, service, policy=FAST, poll_timeout=1) as first:
        chat = Chat(fake, first, resident)
        await chat.say("bonjour")
        await chat.tap("Oui")
        mode_question = chat.last_keyboard()
    await service.close()
    service = await start_service(settings_for(sqlite_url))
    try:
        async with running_bot(settings, service, policy=FAST, poll_timeout=1) as second:
            chat.attach(second)
            await chat.tap("Train", mode_question)
            await chat.tap("4")
            await chat.say("45000")
            last = await chat.say(PROPOSAL)
        assert last[-1]["text"].startswith("Merci")
        assert await Recorder(service).answers(1022) == {
            "mode": "train",
            "satisfaction": 4,
            "postal_code": "45000",
            "proposal": PROPOSAL,
        }
    finally:
        await service.close()


async def test_a_service_failure_tells_the_resident_to_try_again(fake):
    async def broken(message):
        raise OSError("database is locked")

    async with scripted_bot(fake, broken) as bot:
        chat = Chat(fake, bot, Resident(1023))
        replies = await chat.say("bonjour")
        assert replies[0]["text"].startswith("Un problème technique")
        assert await chat.say("bonjour")  # and the next message is tried again


async def test_the_channel_s_texts_fall_back_to_the_deployment_s_language(fake):
    async def broken(message):
        raise OSError("database is locked")

    async with scripted_bot(fake, broken, default_language="en") as bot:
        german = Chat(fake, bot, Resident(1040, language_code="de"))
        french = Chat(fake, bot, Resident(1041, language_code="fr-BE"))
        assert (await german.say("hallo"))[0]["text"].startswith("A technical problem")
        assert (await french.say("bonjour"))[0]["text"].startswith("Un problème technique")
    assert fake.commands[""][0] == {"command": "start", "description": "Start the consultation"}


async def test_unknown_or_unreadable_updates_are_skipped(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1024))
    resident = chat.resident.as_user()
    # A Bot API newer than PTB: a field PTB now requires is missing (the poll of
    # a message), and a message without its chat: PTB cannot read either.
    poll = {"id": "1", "question": "?", "options": [], "total_voter_count": 0}
    fake.push(
        {
            "message": {
                "message_id": 1,
                "date": 1,
                "chat": chat.resident.as_chat(),
                "from": resident,
                "poll": poll,
            }
        }
    )
    fake.push({"message": {"message_id": 2, "date": 1, "from": resident, "text": "x"}})
    fake.push({"edited_message": "not an object"})
    await chat.settle(fake.push({"some_future_update_type": {"x": 1}}))  # read, ignored
    await fake.wait_confirmed()
    assert conversations.handled == []
    assert chat.messages == []
    assert await chat.say("bonjour")  # the bot is not wedged


async def test_updates_of_types_not_asked_for_never_arrive(fake, bot, conversations):
    """The bot asks for what it handles (allowed_updates is sticky on Telegram's
    side): my_chat_member must be among them, or blocks go unnoticed."""
    await fake.wait_for(lambda: fake.allowed_updates is not None)
    assert set(fake.allowed_updates or ()) == {
        "message",
        "edited_message",
        "callback_query",
        "my_chat_member",
    }


async def test_multi_choice_toggles_then_confirms_once(fake):
    received = []
    question = Reply(
        "Quels modes utilisez-vous ?",
        (
            Button("Voiture", "car"),
            Button("Bus", "bus"),
            Button("Vélo", "bike"),
            Button("Passer", "/skip"),
        ),
        multi_select=True,
    )

    async def handle(message):
        received.append(message.text)
        return [question] if len(received) == 1 else [Reply("Noté.")]

    async with scripted_bot(fake, handle) as bot:
        chat = Chat(fake, bot, Resident(1025))
        await chat.say("bonjour")
        keyboard = chat.last_keyboard()
        nothing = await chat.tap("OK", keyboard)  # confirming nothing: a hint, no answer
        assert nothing == []
        assert fake.callback_answers[-1]["text"].startswith("Cochez au moins une réponse")
        await chat.tap("Bus", keyboard)
        await chat.tap("Vélo", keyboard)
        await chat.tap("Voiture", keyboard)
        await chat.tap("Voiture", keyboard)  # ticked, then unticked
        rows = fake.message_now(keyboard)["reply_markup"]["inline_keyboard"]
        assert [row[0]["text"] for row in rows] == [
            "☐ Voiture",
            "☑ Bus",
            "☑ Vélo",
            "✓ OK",
            "Passer",  # a command, not a toggle
        ]
        assert received == ["bonjour"]  # toggles are not answers
        confirmed = await chat.tap("OK", keyboard)
    assert received == ["bonjour", "Bus, Vélo"]
    assert confirmed[-1]["text"] == "Noté."
    assert fake.message_now(keyboard)["text"].endswith("✓ Bus, Vélo")
    assert "reply_markup" not in fake.message_now(keyboard)


async def test_a_multi_choice_the_service_refuses_is_never_shown_as_answered(fake):
    """Too many boxes ticked: the service asks the question again (its buttons
    of the same step), so the old keyboard goes without a ✓."""
    received = []
    question = Reply(
        "Quels modes ? (2 au plus)",
        tuple(Button(t, f"[aaaaaaaa] {t}") for t in ("Voiture", "Bus", "Vélo")),
        multi_select=True,
    )

    async def handle(message):
        received.append(message.text)
        if len(received) == 2:  # the three of them: refused, asked again
            return [Reply("Vous avez choisi trop de réponses."), question]
        return [question] if len(received) == 1 else [Reply("Noté.")]

    async with scripted_bot(fake, handle) as bot:
        chat = Chat(fake, bot, Resident(1029))
        await chat.say("bonjour")
        first = chat.last_keyboard()
        for title in ("Voiture", "Bus", "Vélo"):
            await chat.tap(title, first)
        refused = await chat.tap("OK", first)
        assert "trop de réponses" in refused[0]["text"]
        assert "✓" not in fake.message_now(first)["text"]
        assert "reply_markup" not in fake.message_now(first)  # the new keyboard replaces it
        again = chat.last_keyboard()
        await chat.tap("Bus", again)
        accepted = await chat.tap("OK", again)
    assert accepted[-1]["text"] == "Noté."
    assert fake.message_now(again)["text"].endswith("✓ Bus")
    assert received[1:] == ["[aaaaaaaa] Voiture, Bus, Vélo", "[aaaaaaaa] Bus"]


async def lycees_travel_modes(chat: Chat, *, english: bool = False) -> dict[str, Any]:
    """The lycees consultation's keyboard of travel modes (three at most)."""
    await chat.say("/start lycees")
    await chat.tap("Yes" if english else "Oui")
    await chat.tap("A student" if english else "Lycéen")
    await chat.say("45000")
    await chat.say("Orléans")
    await chat.say("35")
    return chat.last_keyboard()


def ticked(fake: FakeBotApi, keyboard: dict[str, Any]) -> list[str]:
    rows = fake.message_now(keyboard)["reply_markup"]["inline_keyboard"]
    return [row[0]["text"][2:] for row in rows if row[0]["text"].startswith("☑")]


async def test_a_tick_beyond_the_maximum_is_refused_at_once(fake, bot, conversations):
    """The lycees consultation through the real service: a fourth box where
    three at most are taken is refused as it is ticked, the keyboard unchanged."""
    chat = Chat(fake, bot, Resident(1030))
    modes = await lycees_travel_modes(chat)
    assert "trois réponses" in modes["text"]
    for title in ("Car scolaire", "Train", "Voiture"):
        await chat.tap(title, modes)
    edits = len(fake.edits)
    refused = await chat.tap("Vélo", modes)
    assert refused == []
    assert fake.callback_answers[-1]["text"] == "3 choix au maximum"
    assert len(fake.edits) == edits  # the keyboard as it was
    assert ticked(fake, modes) == ["Car scolaire", "Train", "Voiture"]
    await chat.tap("Voiture", modes)  # unticked: room for another
    await chat.tap("Vélo", modes)
    assert ticked(fake, modes) == ["Car scolaire", "Train", "Vélo ou trottinette"]
    await chat.tap("OK", modes)
    assert fake.message_now(modes)["text"].endswith("✓ Car scolaire, Train, Vélo ou trottinette")
    assert (await conversations.answers(1030))["travel_modes"] == ["school_bus", "train", "bike"]


async def test_the_maximum_is_said_in_the_resident_s_language(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1033, language_code="en"))
    modes = await lycees_travel_modes(chat, english=True)
    for title in ("School bus", "Train", "Car"):
        await chat.tap(title, modes)
    await chat.tap("Bike", modes)
    assert fake.callback_answers[-1]["text"] == "3 choices at most"
    assert ticked(fake, modes) == ["School bus", "Train", "Car"]


async def test_a_command_button_under_a_multi_choice_is_sent_as_is(fake):
    received = []
    question = Reply(
        "Quels modes ?", (Button("Bus", "bus"), Button("Passer", "/skip")), multi_select=True
    )

    async def handle(message):
        received.append(message.text)
        return [question]

    async with scripted_bot(fake, handle) as bot:
        chat = Chat(fake, bot, Resident(1027))
        await chat.say("bonjour")
        await chat.tap("Passer")
    assert received == ["bonjour", "/skip"]


def multi_choice_questions():
    from flows.loader import load_flow

    for path in sorted((ROOT / "flows" / "examples").glob("*.yml")):
        flow = load_flow(path)
        for question in flow.questions:
            if question.type == "multi_choice":
                for language in flow.languages:
                    yield pytest.param(question, language, id=f"{flow.id}-{question.id}-{language}")


@pytest.mark.parametrize(("question", "language"), list(multi_choice_questions()))
def test_what_a_confirm_sends_is_read_as_those_choices(interpreter, question, language):
    """The contract with nlu: for every multi-choice of the bundled flows, the
    text a confirm sends for any two ticked options is read as exactly them."""
    from flows.question_spec import question_spec
    from nlu.interpretation import Answer, Reject

    spec = question_spec(question, language)
    exclusive = {c.id for c in question.choices if c.exclusive}  # "Aucune" stands alone
    toggles = [Toggle(c.label.get(language), c.id, False) for c in question.choices]
    for first, second in itertools.combinations(range(len(toggles)), 2):
        ticked = [
            Toggle(t.title, t.payload, index in (first, second)) for index, t in enumerate(toggles)
        ]
        text = confirmed_text(ticked)
        meaning = interpreter.interpret(text, spec, language, dt.date(2026, 11, 30))
        expected = (question.choices[first].id, question.choices[second].id)
        if exclusive.intersection(expected):
            assert meaning == Reject("exclusive"), text
            continue
        assert meaning == Answer(expected), text


async def test_long_button_payloads_fit_in_64_bytes(fake):
    long_payload = "une_option_au_nom_vraiment_tres_long_" * 3
    received = []

    async def handle(message):
        received.append(message.text)
        return [Reply("Choisissez", (Button("Longue", long_payload), Button("Courte", "c")))]

    async with scripted_bot(fake, handle) as bot:
        chat = Chat(fake, bot, Resident(1026))
        await chat.say("bonjour")  # the fake refuses callback data over 64 bytes with a 400
        await chat.tap("Longue")
    assert received == ["bonjour", long_payload]


async def test_the_language_choice_goes_to_a_service_that_offers_it(fake):
    changes = []

    class WithLanguage(ScriptedReplies):
        async def change_language(self, channel, user_id, language, received_at):
            changes.append((channel, user_id, language))
            return [Reply("From now on, in English."), Reply("How do you usually travel?")]

    async def handle(message):
        return [Reply("Bonjour")]

    settings = telegram_settings(fake)
    async with running_bot(settings, WithLanguage(handle), policy=FAST, poll_timeout=1) as bot:
        chat = Chat(fake, bot, Resident(1028))
        await chat.say("/langue")
        switched = await chat.tap("English")
        typed = await chat.say("/langue fr")  # with the language: no keyboard needed
    assert changes == [("telegram", "1028", "en"), ("telegram", "1028", "fr")]
    assert texts(switched) == ["From now on, in English.", "How do you usually travel?"]
    assert texts(typed) == ["From now on, in English.", "How do you usually travel?"]


async def test_supprimer_deletes_the_residents_data_after_confirmation(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1029))
    await chat.say("bonjour")
    await chat.tap("Oui")
    await chat.tap("Train")
    assert (await conversations.answers(1029))["mode"] == "train"
    await chat.say("/supprimer")
    await chat.tap("Oui, supprimer")
    assert await conversations.participant(1029) is None  # nothing left of them


async def test_help_and_stop_commands_work_mid_question(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1030))
    await chat.say("bonjour")
    await chat.tap("Oui")
    question = chat.messages[-1]["text"]
    helped = await chat.say("/help")
    assert helped[-1]["text"] == question  # help, then the question again
    await chat.say("/stop")
    assert "mode" not in await conversations.answers(1030)


async def test_a_button_under_a_message_too_old_to_see_still_answers(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1031))
    await chat.say("bonjour")
    consent = chat.last_keyboard()
    tapped = fake.user_taps(chat.resident, consent, "Oui", inaccessible=True)
    replies = await chat.settle(tapped)
    assert "Comment vous déplacez-vous" in replies[-1]["text"]
    assert [a["id"] for a in fake.callback_answers] == [tapped["callback_query"]["id"]]


async def test_the_token_never_reaches_the_logs_even_in_debug(fake, conversations, caplog):
    caplog.set_level("DEBUG")
    settings = telegram_settings(fake)
    async with running_bot(settings, conversations, policy=FAST, poll_timeout=1) as bot:
        chat = Chat(fake, bot, Resident(1032))
        await chat.say("bonjour")
        await chat.tap("Oui")
    assert caplog.records  # something was logged
    assert TOKEN not in caplog.text


async def test_a_refused_token_or_a_failing_api_stops_start_up_with_one_clear_line(
    fake, conversations
):
    from bot.channels.telegram.channel import TelegramStartError

    wrong = telegram_settings(fake).model_copy(
        update={
            "telegram": telegram_settings(fake).telegram.model_copy(
                update={"bot_token": SecretStr("999:wrong")}
            )
        }
    )
    with pytest.raises(TelegramStartError, match="refused the token"):
        async with running_bot(wrong, conversations):
            pass
    fake.fail_next(1, 502, methods=frozenset({"getWebhookInfo"}))
    with pytest.raises(
        TelegramStartError, match=r"cannot reach the Bot API at http://127\.0\.0\.1"
    ):
        async with running_bot(telegram_settings(fake), conversations):
            pass


def test_building_the_bot_leaves_the_process_environment_alone(fake, monkeypatch):
    monkeypatch.delenv("PTB_TIMEDELTA", raising=False)
    before = dict(os.environ)
    TelegramBot(telegram_settings(fake), ScriptedReplies(lambda message: []), polling=True)
    assert dict(os.environ) == before


LYCEES_TO_LOCAL_FOOD = (
    "/start lycees",
    "oui",
    "Autre habitant",
    "passer",
    "xqzw",
    "xqzw",
    "xqzw",
    "2",
    "cantine",
)


async def test_an_old_button_does_not_answer_the_question_asked_now(fake, bot, conversations):
    chat = Chat(fake, bot, Resident(1050))
    for text in LYCEES_TO_LOCAL_FOOD:
        await chat.say(text)
    local_food = chat.last_keyboard()
    assert "La cantine devrait-elle servir" in local_food["text"]
    meeting = (await chat.say("non"))[-1]
    assert "réunion publique" in meeting["text"]
    edits = len(fake.edits)
    await chat.tap("Oui", local_food)
    assert fake.callback_answers[-1]["text"] == "Vous avez déjà répondu à cette question."
    assert await conversations.answers(1050) == {
        "role": "other",
        "buildings": 2,
        "priorities": ["canteen"],
        "local_food": False,
    }
    assert len(fake.edits) == edits  # the old message is not marked "✓ Oui"
    assert "✓" not in fake.message_now(local_food)["text"]
    # The question asked now is still asked, and its own buttons answer it.
    await chat.tap("Oui", meeting)
    assert (await conversations.answers(1050))["meeting"] is True
