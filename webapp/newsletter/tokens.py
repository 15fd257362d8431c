"""What our emails carry and our records keep: signed links and keyed hashes (no Flask, no database).

- A confirmation link signs the signup's random confirmation nonce with the time it was issued; it
  expires, and a new signup after an unsubscribe gets a new nonce, so older links stop working.
- An unsubscribe link signs the signup's random unsubscribe key: no sequential id in clear, and one
  signup's links are revoked by giving it a new key, without rotating the secret.
Both verify with every key of `signing_keys`, so links signed before a key rotation keep working.
"""

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, Signer, TimestampSigner

CONFIRM_SALT = "newsletter-confirm"
UNSUBSCRIBE_SALT = "newsletter-unsubscribe-key"


def signing_keys(config: Mapping) -> list[str]:
    """The secret keys links verify with, oldest first and the current one last (as Flask orders them)."""
    return [*(config.get("SECRET_KEY_FALLBACKS") or []), config["SECRET_KEY"]]


def new_key() -> str:
    """A fresh random key or nonce (128 bits, 32 hex characters)."""
    return secrets.token_hex(16)


class _IssuedAt(TimestampSigner):
    """A timestamp signer that signs with a given time, so a retried email carries the very same link."""

    def __init__(self, keys: list[str], issued_at: datetime):
        super().__init__(keys, salt=CONFIRM_SALT)
        self.issued_at = int(issued_at.timestamp())

    def get_timestamp(self) -> int:
        """The time the link was issued, not the time it is rendered."""
        return self.issued_at


def confirm_token(keys: list[str], nonce: str, issued_at: datetime) -> str:
    """The token of a confirmation link issued at `issued_at`."""
    return _IssuedAt(keys, issued_at).sign(nonce).decode()


@dataclass(frozen=True, slots=True)
class ConfirmLink:
    """What a confirmation token says: the nonce it carries, and whether it is too old."""

    nonce: str
    expired: bool


def read_confirm_token(keys: list[str], token: str, max_age_seconds: int) -> ConfirmLink | None:
    """The nonce of a token we signed (expired or not), or None when we did not sign it."""
    signer = TimestampSigner(keys, salt=CONFIRM_SALT)
    try:
        return ConfirmLink(signer.unsign(token, max_age=max_age_seconds).decode(), False)
    except SignatureExpired as error:
        return ConfirmLink(bytes(error.payload or b"").decode(), True)
    except (BadSignature, UnicodeError):
        return None


def unsubscribe_token(keys: list[str], key: str) -> str:
    """The token of a signup's unsubscribe link (never expires; revoked by replacing the key)."""
    return Signer(keys, salt=UNSUBSCRIBE_SALT).sign(key).decode()


def read_unsubscribe_token(keys: list[str], token: str) -> str | None:
    """The unsubscribe key a token carries, or None when we did not sign it."""
    try:
        return Signer(keys, salt=UNSUBSCRIBE_SALT).unsign(token).decode()
    except (BadSignature, UnicodeError):
        return None


def client_hash(secret_key: str, address: str | None) -> str | None:
    """A keyed hash of the client address: lets us spot abuse without storing the address."""
    if not address:
        return None
    return hmac.new(secret_key.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]
