"""The chat id kept to write first later: encrypted, never in clear."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from bot.channels.telegram.address import AddressError, ChatAddressCipher
from bot.config import Settings
from bot.keys import Keys


def test_a_chat_id_round_trips_and_is_not_readable():
    cipher = ChatAddressCipher(Keys(b"a deployment secret key, long enough"))
    address = cipher.encrypt(123456789)
    assert "123456789" not in address
    assert cipher.decrypt(address) == 123456789


def test_two_encryptions_of_one_chat_cannot_be_linked():
    cipher = ChatAddressCipher(Keys(b"a deployment secret key, long enough"))
    assert cipher.encrypt(-1001234) != cipher.encrypt(-1001234)


def test_another_key_or_a_tampered_address_is_a_clear_error():
    address = ChatAddressCipher(Keys(b"first secret key, long enough")).encrypt(42)
    with pytest.raises(AddressError, match="CONSULTBOT_SECRET_KEY"):
        ChatAddressCipher(Keys(b"second secret key, long enough")).decrypt(address)
    cipher = ChatAddressCipher(Keys(b"first secret key, long enough"))
    tampered = address[:-4] + ("AAAA" if not address.endswith("AAAA") else "BBBB")
    for bad in [tampered, "", "not an address", "é"]:
        with pytest.raises(AddressError):
            cipher.decrypt(bad)


def test_the_key_comes_from_the_settings_secret_key():
    settings = Settings(secret_key=SecretStr("the deployment's secret key"))
    address = ChatAddressCipher.from_settings(settings).encrypt(7)
    assert ChatAddressCipher.from_settings(settings).decrypt(address) == 7
