"""Marketers' accounts: created from the command line, passwords hashed by Werkzeug."""

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.db.engine import reading, writing
from webapp.db.schema import users, utcnow

MIN_PASSWORD_LENGTH = 12
# Checked when the address is unknown, so a login takes as long whether or not the account exists.
_DUMMY_HASH = generate_password_hash("not a real password, only spends the same time")


class AccountError(ValueError):
    """An account that cannot be created, with the reason."""


@dataclass(frozen=True, slots=True)
class User:
    """A signed-in marketer."""

    id: int
    email: str
    session_version: int


def _normal(email: str) -> str:
    """Marketers' addresses compare without letter case or surrounding spaces."""
    return email.strip().lower()


def create_user(email: str, password: str) -> User:
    """Add a marketer; AccountError when the address is taken or the password too short."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if "@" not in email or not _normal(email):
        raise AccountError("Give the marketer's email address.")
    try:
        with writing() as connection:
            values = {"email": _normal(email), "password_hash": generate_password_hash(password)}
            new_id = connection.execute(
                users.insert().values(**values, created_at=utcnow()).returning(users.c.id)
            ).scalar_one()
    except IntegrityError:
        raise AccountError(f"There is already an account for {_normal(email)}.") from None
    return User(new_id, _normal(email), 1)


def authenticate(email: str, password: str) -> User | None:
    """The marketer with this address and password, or None (in constant-ish time either way)."""
    with reading() as connection:
        row = connection.execute(select(users).where(users.c.email == _normal(email))).first()
    if row is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(row.password_hash, password):
        return None
    return User(row.id, row.email, row.session_version)


def load_user(user_id: int, session_version: int) -> User | None:
    """The marketer a session names, if that session has not been ended by a logout."""
    with reading() as connection:
        row = connection.execute(select(users).where(users.c.id == user_id)).first()
    if row is None or row.session_version != session_version:
        return None
    return User(row.id, row.email, row.session_version)


def end_sessions(user_id: int) -> None:
    """Invalidate every session of this marketer (a logout really logs out, even a copied cookie)."""
    with writing() as connection:
        connection.execute(
            update(users).where(users.c.id == user_id).values(session_version=users.c.session_version + 1)
        )
