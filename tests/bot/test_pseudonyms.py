"""Pseudonyms: keyed, stable, per channel, and the same as those already stored."""

import hashlib
import hmac

from bot.keys import Keys
from bot.pseudonyms import Pseudonymizer


def test_pseudonyms_are_stable_keyed_and_per_channel():
    a, b = Pseudonymizer(Keys(b"k" * 32)), Pseudonymizer(Keys(b"j" * 32))
    assert a.pseudonym("telegram", "42") == a.pseudonym("telegram", "42")
    assert a.pseudonym("telegram", "42") != b.pseudonym("telegram", "42")
    assert a.pseudonym("telegram", "42") != a.pseudonym("web", "42")
    assert "42" not in a.pseudonym("telegram", "42")


def test_pseudonyms_stored_by_earlier_versions_still_match():
    # Computed by the release before `bot.keys`: HMAC-SHA256(secret, "channel\0id").
    pseudonymizer = Pseudonymizer(Keys(b"a deployment secret key, long enough"))
    assert pseudonymizer.pseudonym("telegram", "42") == (
        "4335a98bddaf60971a890ca5717315d8cec5fab5d67b7b03ed4f79f5d115f2a6"
    )
    assert pseudonymizer.pseudonym("web", "abc") == (
        "9bc96c820d0ef13b4a21dd403319b0bca222bddb5787813c862f9e130629face"
    )


def test_public_ids_given_out_earlier_still_match():
    # Computed by the first release of the engine feed (HMAC hex -> base32).
    pseudonymizer = Pseudonymizer(Keys(b"a deployment secret key, long enough"))
    assert [
        pseudonymizer.public_id(k, n) for k, n in [("ctb", 1), ("ans", 123456), ("evt", 0)]
    ] == [
        "ctb_ruih35bhgtbpdfkmiezgtjws",
        "ans_tlcvaoyxopunwjjoh6lriuwz",
        "evt_kaleemp4lwqgpmmw2zraqd6t",
    ]


def test_stored_keyed_hashes_are_standard_hmac_sha256_of_their_purpose_keys():
    # Erasure receipts and message digests are stored: computing them with
    # keys prepared once must give what HMAC-SHA256 gives.
    keys = Keys(b"a deployment secret key, long enough")
    pseudonymizer = Pseudonymizer(keys)

    def standard(purpose: str, *parts: str) -> str:
        message = "\x00".join(parts).encode()
        return hmac.new(keys.derive(purpose), message, hashlib.sha256).hexdigest()

    assert pseudonymizer.erasure_receipt("web", "h", "m1") == standard(
        "erasure receipt", "web", "h", "m1"
    )
    assert (
        pseudonymizer.message_digest("web", "h", "m1")
        == standard("message digest", "web", "h", "m1")[:32]
    )
    assert pseudonymizer.contribution_digest(7) == hmac.digest(
        keys.derive("contribution receipt"), b"receipt\x007", "sha256"
    )


def test_public_ids_made_together_are_those_made_one_by_one():
    pseudonymizer = Pseudonymizer(Keys(b"a deployment secret key, long enough"))
    numbers = [0, 1, 9, 10, 123456, 2**40, *range(1000, 3000, 7)]
    assert pseudonymizer.public_ids("ans", numbers) == [
        pseudonymizer.public_id("ans", n) for n in numbers
    ]
    assert pseudonymizer.public_ids("ctb", [1]) == ["ctb_ruih35bhgtbpdfkmiezgtjws"]
    assert pseudonymizer.public_ids("ctb", []) == []
