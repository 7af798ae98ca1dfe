"""Long texts, keyboards and signed callback data, without a network."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.telegram.rendering import (
    MAX_CALLBACK_BYTES,
    CallbackCodec,
    read_toggles,
    reply_keyboard,
    split_text,
    utf16_length,
)
from bot.keys import Keys
from flows.replies import Button, Reply

KEYS = Keys(b"k" * 32)


def test_a_short_text_is_one_message():
    assert split_text("Bonjour !") == ["Bonjour !"]


def test_long_texts_are_cut_between_paragraphs_first():
    first, second = "a" * 3000, "b" * 3000
    assert split_text(f"{first}\n\n{second}") == [first, second]


def test_an_unbroken_word_is_cut_at_the_limit():
    chunks = split_text("x" * 9000)
    assert [len(c) for c in chunks] == [4096, 4096, 808]


def test_emoji_count_as_two_units_like_telegram():
    chunks = split_text("😀" * 3000)
    assert all(utf16_length(c) <= 4096 for c in chunks)
    assert "".join(chunks) == "😀" * 3000


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12000))
def test_splitting_loses_no_word_and_respects_the_limit(text):
    chunks = split_text(text, limit=500)
    assert all(utf16_length(c) <= 500 for c in chunks)
    assert "".join(chunks).split() == text.split()


def test_callback_data_round_trips_and_is_bound_to_its_chat():
    codec = CallbackCodec(KEYS)
    data = codec.encode("answer", 42, "train")
    assert codec.decode(42, data).payload == "train"
    assert codec.decode(43, data) is None  # issued to another chat


@pytest.mark.parametrize("payload", ["x" * 200, "é" * 40, "🚲" * 20])
def test_long_payloads_stay_within_64_bytes(payload):
    codec = CallbackCodec(KEYS)
    data = codec.encode("answer", 42, payload)
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert codec.decode(42, data).payload == payload
    # after a restart the reference is gone: refused, not misread
    assert CallbackCodec(KEYS).decode(42, data) is None


def test_short_payloads_survive_a_restart():
    data = CallbackCodec(KEYS).encode("toggle", 42, "bike")
    decoded = CallbackCodec(KEYS).decode(42, data)
    assert (decoded.kind, decoded.payload) == ("toggle", "bike")


@pytest.mark.parametrize("data", ["", "a", "zzzzzzzzzz", "a00000000train", "\x00" * 64])
def test_data_we_never_issued_is_refused(data):
    assert CallbackCodec(KEYS).decode(42, data) is None


def test_data_signed_with_another_key_is_refused():
    data = CallbackCodec(Keys(b"other" * 8)).encode("answer", 42, "train")
    assert CallbackCodec(KEYS).decode(42, data) is None


def test_scales_fit_on_one_row_and_choices_get_a_row_each():
    codec = CallbackCodec(KEYS)
    scale = Reply("?", tuple(Button(str(n), str(n)) for n in range(1, 6)))
    choices = Reply("?", (Button("Voiture", "car"), Button("Train", "train"), Button("Bus", "bus")))
    scale_rows = reply_keyboard(scale, 1, codec).inline_keyboard
    choice_rows = reply_keyboard(choices, 1, codec).inline_keyboard
    assert [len(row) for row in scale_rows] == [5]
    assert [len(row) for row in choice_rows] == [1, 1, 1]
    assert reply_keyboard(Reply("free text"), 1, codec) is None


@pytest.mark.parametrize(
    ("count", "rows"), [(2, [2]), (5, [5]), (6, [6]), (7, [4, 3]), (11, [6, 5]), (13, [5, 5, 3])]
)
def test_short_buttons_fill_balanced_rows_of_at_most_six(count, rows):
    scale = Reply("?", tuple(Button(str(n), str(n)) for n in range(count)))
    keyboard = reply_keyboard(scale, 1, CallbackCodec(KEYS)).inline_keyboard
    assert [len(row) for row in keyboard] == rows


def test_multi_select_toggles_read_back_from_the_keyboard():
    codec = CallbackCodec(KEYS)
    reply = Reply("?", (Button("Bus", "bus"), Button("Vélo", "bike")), multi_select=True)
    toggles = read_toggles(reply_keyboard(reply, 7, codec), 7, codec)
    assert [(t.title, t.payload, t.checked) for t in toggles] == [
        ("Bus", "bus", False),
        ("Vélo", "bike", False),
    ]
