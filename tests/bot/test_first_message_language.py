"""The language a resident is answered in when nothing says it but their first
message, over the REST channel (real HTTP on loopback): English words get
English, French words and anything unclear get French (the default)."""

from __future__ import annotations

import pytest

from tests.bot.channels.test_rest import http, post

__all__ = ["http"]  # the REST server on SQLite, and on PostgreSQL when configured


async def first_reply(http, sender: str, text: str):
    status, replies = await post(http, {"sender": sender, "message": text})
    assert status == 200
    return replies


@pytest.mark.parametrize(
    "text",
    [
        "I want to give my opinion on buses",
        "Is this the survey about transport?",
        "we need more trains in the evening",
    ],
)
async def test_a_first_message_in_english_is_answered_in_english(http, text):
    replies = await first_reply(http, "r-en", text)
    assert replies[0]["text"].startswith("Hello!")
    assert replies[-1]["text"].endswith("Do you agree?")
    assert [b["title"] for b in replies[-1]["buttons"]] == ["Yes", "No"]


@pytest.mark.parametrize(
    "text",
    [
        "Je voudrais donner mon avis sur les bus",
        "bus",  # one word says no language: the default
        "Le bus is late",  # as many words of each
        "ok",
    ],
)
async def test_french_or_unclear_is_answered_in_french(http, text):
    replies = await first_reply(http, "r-fr", text)
    assert replies[0]["text"].startswith("Bonjour !")
    assert replies[-1]["text"].endswith("Acceptez-vous ?")


async def test_the_conversation_stays_in_english_once_consent_is_given(http):
    await first_reply(http, "r-en-2", "I want to give my opinion on buses")
    replies = await first_reply(http, "r-en-2", "yes")
    assert "How do you usually travel?" in replies[-1]["text"]
