"""Validating, normalizing and masking typed email addresses."""

import pytest

from webapp.newsletter.emails import InvalidEmail, email_key, mask_email, normalize_email

HOSTILE_REJECTED = [
    "",
    "   ",
    "not-an-address",
    "a" * 250 + "@x.com",  # 256 characters
    "a" * 64 + "@" + ("b" * 60 + ".") * 3 + "example.com",  # 254+ once normalized
    "joe@example.com\r\nBcc: victim@example.com",
    "joe@example.com\nX-Injected: 1",
    "joe\x00@example.com",
    '"quoted local"@example.com',
    "joe'; DROP TABLE signups;--@example.com",
    '=HYPERLINK("http://evil.example")@example.com',
    "<script>alert(1)</script>@example.com",
    "joe@localhost",
    "Joe <joe@example.com>",
    "joe@@example.com",
]


@pytest.mark.parametrize("raw", HOSTILE_REJECTED)
def test_hostile_and_malformed_addresses_are_refused_with_a_message(raw):
    with pytest.raises(InvalidEmail) as caught:
        normalize_email(raw)
    assert str(caught.value)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("  Joe.Bloggs@Example.COM ", "Joe.Bloggs@example.com"),
        ("o'brien@example.com", "o'brien@example.com"),
        ("=1+2@example.com", "=1+2@example.com"),  # valid, so the export must defuse it
        ("ünïcødé@exämple.com", "ünïcødé@exämple.com"),
        ("user@xn--exmple-cua.com", "user@exämple.com"),
    ],
)
def test_valid_addresses_are_normalized(raw, normalized):
    assert normalize_email(raw) == normalized


def test_the_longest_allowed_address_is_accepted_and_one_more_is_not():
    local = "a" * 64  # the most a mailbox name may have
    domain = ".".join(["d" * 63, "e" * 63, "f" * 57]) + ".com"
    assert len(local + "@" + domain) == 254
    assert normalize_email(local + "@" + domain) == local + "@" + domain
    with pytest.raises(InvalidEmail, match="254"):
        normalize_email(local + "@x" + domain)
    with pytest.raises(InvalidEmail):
        normalize_email("a" * 65 + "@example.com")


def test_two_spellings_of_one_address_share_a_key():
    assert email_key(normalize_email("Joe@EXAMPLE.com")) == email_key(normalize_email("joe@example.COM"))


def test_masking_keeps_no_more_than_the_first_character_of_the_mailbox():
    assert mask_email("joseph.bloggs@example.com") == "j***@example.com"
    assert "bloggs" not in mask_email("joseph.bloggs@example.com")
    assert mask_email("garbage") == "***"
