"""Marketers' accounts: created, re-passworded and disabled from the command line; passwords hashed with
scrypt at OWASP's parameters (N=2^17, r=8, p=1)."""

import threading
from dataclasses import dataclass
from functools import cache

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.db.engine import reading, writing
from webapp.db.schema import users, utcnow

MIN_PASSWORD_LENGTH = 12
# OWASP Password Storage Cheat Sheet: scrypt with N=2^17, r=8, p=1 (128 MiB and ~0.4 s per hash here).
HASH_METHOD = "scrypt:131072:8:1"
# Each hash holds 128 MiB for its duration: a burst of sign-ins waits its turn instead of using gigabytes.
_hashing = threading.BoundedSemaphore(2)


class AccountError(ValueError):
    """An account that cannot be created or changed, with the reason."""


@dataclass(frozen=True, slots=True)
class User:
    """A marketer: the session names them by id and session version."""

    id: int
    email: str
    session_version: int
    two_factor: bool = False


def _user(row) -> User:
    """The User of a users row."""
    return User(row.id, row.email, row.session_version, row.totp_secret is not None)


def _normal(email: str) -> str:
    """Marketers' addresses compare without letter case or surrounding spaces."""
    return email.strip().lower()


def hash_password(password: str) -> str:
    """The scrypt hash of a password, at most two at a time per process."""
    with _hashing:
        return generate_password_hash(password, method=HASH_METHOD)


def _check(stored: str, password: str) -> bool:
    """Whether the password matches a stored hash, at most two at a time per process."""
    with _hashing:
        return check_password_hash(stored, password)


@cache
def _dummy_hash() -> str:
    """Checked when the address is unknown or disabled, so a sign-in takes as long whatever the address."""
    return hash_password("not a real password, only spends the same time")


def _checked_password(password: str) -> str:
    """The password, or AccountError when it is too short."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    return password


def create_user(email: str, password: str) -> User:
    """Add a marketer; AccountError when the address is taken or the password too short."""
    _checked_password(password)
    if "@" not in email or not _normal(email):
        raise AccountError("Give the marketer's email address.")
    try:
        with writing() as connection:
            values = {"email": _normal(email), "password_hash": hash_password(password)}
            new_id = connection.execute(
                users.insert().values(**values, created_at=utcnow()).returning(users.c.id)
            ).scalar_one()
    except IntegrityError:
        raise AccountError(f"There is already an account for {_normal(email)}.") from None
    return User(new_id, _normal(email), 1)


def find_user(email: str) -> User | None:
    """The account with this address, disabled or not (for the command line)."""
    with reading() as connection:
        row = connection.execute(select(users).where(users.c.email == _normal(email))).first()
    return None if row is None else _user(row)


def authenticate(email: str, password: str) -> User | None:
    """The enabled marketer with this address and password, or None (in the same time either way).

    A hash made with weaker parameters is replaced by one at today's on a successful sign-in.
    """
    with reading() as connection:
        row = connection.execute(select(users).where(users.c.email == _normal(email))).first()
    if row is None or row.disabled_at is not None:
        _check(_dummy_hash(), password)
        return None
    if not _check(row.password_hash, password):
        return None
    if not row.password_hash.startswith(HASH_METHOD + "$"):
        with writing() as connection:
            connection.execute(
                update(users).where(users.c.id == row.id).values(password_hash=hash_password(password))
            )
    return _user(row)


def load_user(user_id: int, session_version: int) -> User | None:
    """The marketer a session names, unless that session was ended or the account disabled."""
    with reading() as connection:
        row = connection.execute(select(users).where(users.c.id == user_id)).first()
    if row is None or row.session_version != session_version or row.disabled_at is not None:
        return None
    return _user(row)


def end_sessions(user_id: int) -> None:
    """Invalidate every session of this marketer (a logout really logs out, even a copied cookie)."""
    with writing() as connection:
        connection.execute(
            update(users).where(users.c.id == user_id).values(session_version=users.c.session_version + 1)
        )


def _change(email: str, **values) -> User:
    """Apply `values` to the account with this address and end its sessions; AccountError if none."""
    with writing() as connection:
        changed = connection.execute(
            update(users)
            .where(users.c.email == _normal(email))
            .values(**values, session_version=users.c.session_version + 1)
            .returning(users)
        ).first()
    if changed is None:
        raise AccountError(f"There is no account for {_normal(email)}.")
    return _user(changed)


def set_password(email: str, password: str) -> User:
    """Give the account a new password and end every session it has."""
    return _change(email, password_hash=hash_password(_checked_password(password)))


def disable(email: str) -> User:
    """Stop the account from signing in and end every session it has."""
    return _change(email, disabled_at=utcnow())


def enable(email: str) -> User:
    """Let a disabled account sign in again (with its password, and its second factor if it has one)."""
    return _change(email, disabled_at=None)
