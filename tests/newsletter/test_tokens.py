"""The links our emails carry: signed, expiring confirmation links and revocable unsubscribe links."""

from datetime import UTC, datetime, timedelta

from webapp.newsletter.tokens import (
    confirm_token,
    new_key,
    read_confirm_token,
    read_unsubscribe_token,
    signing_keys,
    unsubscribe_token,
)

KEYS = ["a-secret-key-of-at-least-32-bytes!!"]
WEEK = 7 * 86400


def test_a_confirmation_link_carries_its_nonce_and_expires_after_its_age():
    nonce = new_key()
    fresh = confirm_token(KEYS, nonce, datetime.now(UTC) - timedelta(days=6))
    old = confirm_token(KEYS, nonce, datetime.now(UTC) - timedelta(days=8))
    assert (
        read_confirm_token(KEYS, fresh, WEEK).nonce == nonce
        and not read_confirm_token(KEYS, fresh, WEEK).expired
    )
    assert read_confirm_token(KEYS, old, WEEK).expired and read_confirm_token(KEYS, old, WEEK).nonce == nonce


def test_a_confirmation_link_is_the_same_every_time_it_is_rendered():
    issued = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    assert confirm_token(KEYS, "n" * 32, issued) == confirm_token(KEYS, "n" * 32, issued)


def test_forged_or_mangled_links_are_refused():
    token = confirm_token(KEYS, new_key(), datetime.now(UTC))
    assert read_confirm_token(["another key, also thirty-two bytes long"], token, WEEK) is None
    assert read_confirm_token(KEYS, token[:-2] + "xx", WEEK) is None
    assert read_confirm_token(KEYS, "garbage", WEEK) is None
    assert read_confirm_token(KEYS, "ünïcode.ä.ö", WEEK) is None
    assert read_unsubscribe_token(KEYS, "garbage") is None


def test_an_unsubscribe_link_carries_a_random_key_and_no_sequential_id():
    key = new_key()
    token = unsubscribe_token(KEYS, key)
    assert read_unsubscribe_token(KEYS, token) == key
    assert read_unsubscribe_token(["another key, also thirty-two bytes long"], token) is None
    assert len({new_key() for _ in range(100)}) == 100 and len(key) == 32


def test_links_signed_before_a_key_rotation_still_verify():
    old_config = {"SECRET_KEY": "the old key, thirty-two bytes or more"}
    new_config = {
        "SECRET_KEY": "the new key, thirty-two bytes or more",
        "SECRET_KEY_FALLBACKS": [old_config["SECRET_KEY"]],
    }
    token = unsubscribe_token(signing_keys(old_config), "k" * 32)
    assert read_unsubscribe_token(signing_keys(new_config), token) == "k" * 32
    assert unsubscribe_token(signing_keys(new_config), "k" * 32) != token  # new links use the new key
