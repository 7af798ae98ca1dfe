"""The help at a question names the request to send the answers, in words
the bot reads as that request."""

from __future__ import annotations

import re

import pytest

from bot.client import Client


@pytest.mark.parametrize(
    ("language", "help_word", "quoted"),
    [("fr", "aide", r"« (envoyer[^»]*) »"), ("en", "help", r'"(send[^"]*)"')],
)
async def test_the_help_names_sending_and_writing_it_sends(
    open_service, clock, language, help_word, quoted
):
    service = await open_service()
    client = Client(service, now=clock)
    await client.converse("alice", "bonjour", "oui", language=language)
    helped = await client.send("alice", help_word, language=language)
    said = re.search(quoted, helped[0].text)
    assert said is not None, helped[0].text
    sent = await client.send("alice", said[1], language=language)
    # The demo's questions all need an answer: it says when the answers go.
    assert re.search(r"envoyées à la fin|sent at the end", sent[0].text), sent[0].text
