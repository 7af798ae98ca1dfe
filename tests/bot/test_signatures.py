"""Signed values: what a forger cannot produce, checked in constant time."""

import pytest

from bot.signatures import Signer


def test_a_signature_checks_only_for_its_value_and_key():
    signer = Signer(b"k" * 32, 22)
    signature = signer.sign("participant-1")
    assert len(signature) == 22
    assert signer.valid(signature, "participant-1")
    assert not signer.valid(signature, "participant-2")
    assert not Signer(b"j" * 32, 22).valid(signature, "participant-1")


def test_a_short_signature_is_a_prefix_of_the_long_one():
    assert Signer(b"k" * 32, 43).sign("a|1|x").startswith(Signer(b"k" * 32, 8).sign("a|1|x"))


@pytest.mark.parametrize("forged", ["", "AAAAAAAA", "é" * 8, "x" * 500])
def test_anything_else_is_refused_without_raising(forged):
    assert not Signer(b"k" * 32, 8).valid(forged, "a|1|x")


def test_a_signature_too_short_to_be_safe_is_refused():
    with pytest.raises(ValueError, match="8 to 43"):
        Signer(b"k" * 32, 4)
