"""TOTP two-factor sign-in for marketers (RFC 6238 through pyotp) and their one-use recovery codes.

A code is accepted for the current 30-second step and the one before or after (clocks drift), and each
step works once: a code seen over a shoulder or in a log cannot be replayed. Recovery codes carry 120
random bits, so SHA-256 is the right hash for them (ASVS 5.0, 6.5.2): they are found by their hash.
"""

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import and_, func, or_, select, update

from webapp.db.engine import reading, writing
from webapp.db.schema import recovery_codes, users, utcnow

RECOVERY_CODES = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols, none that read alike (0/O, 1/I)
RECOVERY_GROUPS = 6  # of 4 symbols: 24 x 5 = 120 bits


def new_secret() -> str:
    """A random base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, email: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def qr_svg(uri: str) -> Markup:
    """The QR code of a URI as inline SVG, made on the server (no script, no inline style: CSP-safe)."""
    qr = segno.make(uri, error="m")
    svg = qr.svg_inline(scale=4, dark="#000", light="#fff", title="QR code for your authenticator app")
    return Markup(svg)  # noqa: S704 - segno's own markup; the URI is encoded as modules, not text


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The 30-second step (now, one before, one after) whose code this is, or None."""
    code = "".join(code.split())
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    step = int(now // totp.interval)
    for candidate in (step, step - 1, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def check_new(secret: str, code: str, now: float | None = None) -> int | None:
    """The step of a code typed while enrolling (before the secret is stored), or None."""
    return _matching_step(secret, code, time.time() if now is None else now)


def verify(user_id: int, code: str, now: float | None = None) -> bool:
    """Whether this is a valid, not yet used code of the marketer's authenticator (and use it up)."""
    with reading() as connection:
        row = connection.execute(select(users.c.totp_secret).where(users.c.id == user_id)).first()
    if row is None or row.totp_secret is None:
        return False
    step = _matching_step(row.totp_secret, code, time.time() if now is None else now)
    if step is None:
        return False
    with writing() as connection:  # the step moves forward only: two requests with one code, one wins
        used = connection.execute(
            update(users)
            .where(users.c.id == user_id)
            .where(or_(users.c.totp_last_step.is_(None), users.c.totp_last_step < step))
            .values(totp_last_step=step)
        )
    return used.rowcount == 1


def _code_hash(code: str) -> str:
    """The stored form of a recovery code: SHA-256 of its symbols, however it was typed."""
    symbols = "".join(c for c in code.upper() if c.isalnum())
    return hashlib.sha256(symbols.encode()).hexdigest()


def _new_codes() -> list[str]:
    """Ten fresh recovery codes, as shown: XXXX-XXXX-XXXX-XXXX-XXXX-XXXX."""
    return [
        "-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(4)) for _ in range(RECOVERY_GROUPS))
        for _ in range(RECOVERY_CODES)
    ]


def _store_codes(connection, user_id: int) -> list[str]:
    """Replace the marketer's recovery codes with new ones; the codes, to be shown once."""
    codes = _new_codes()
    connection.execute(recovery_codes.delete().where(recovery_codes.c.user_id == user_id))
    rows = [{"user_id": user_id, "code_hash": _code_hash(code)} for code in codes]
    connection.execute(recovery_codes.insert(), rows)
    return codes


def enable(user_id: int, secret: str, step: int) -> list[str]:
    """Store a confirmed secret (its confirming step used up) and make recovery codes; the codes."""
    with writing() as connection:
        connection.execute(
            update(users).where(users.c.id == user_id).values(totp_secret=secret, totp_last_step=step)
        )
        return _store_codes(connection, user_id)


def new_recovery_codes(user_id: int) -> list[str]:
    """Replace the marketer's recovery codes (the old ones stop working); the new ones."""
    with writing() as connection:
        return _store_codes(connection, user_id)


def disable(user_id: int) -> None:
    """Remove the authenticator and the recovery codes: sign-in is by password alone again."""
    with writing() as connection:
        connection.execute(recovery_codes.delete().where(recovery_codes.c.user_id == user_id))
        connection.execute(
            update(users).where(users.c.id == user_id).values(totp_secret=None, totp_last_step=None)
        )


def use_recovery_code(user_id: int, code: str) -> bool:
    """Whether this is one of the marketer's unused recovery codes (and use it up)."""
    with writing() as connection:
        used = connection.execute(
            update(recovery_codes)
            .where(and_(recovery_codes.c.user_id == user_id, recovery_codes.c.code_hash == _code_hash(code)))
            .where(recovery_codes.c.used_at.is_(None))
            .values(used_at=utcnow())
        )
    return used.rowcount == 1


def recovery_codes_left(user_id: int) -> int:
    """How many unused recovery codes the marketer has."""
    with reading() as connection:
        return connection.execute(
            select(func.count())
            .select_from(recovery_codes)
            .where(recovery_codes.c.user_id == user_id, recovery_codes.c.used_at.is_(None))
        ).scalar_one()
