"""The tables of the signups store, as SQLAlchemy Core: the single description migrations must match."""

from datetime import UTC, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)


class UTCDateTime(TypeDecorator):
    """A moment in UTC: timezone-aware in Python on every backend (SQLite stores it naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Convert to UTC; SQLite has no time zones, so drop the (UTC) offset there."""
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        """Read back as an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


metadata = MetaData()

signups = Table(
    "signups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False),
    Column("email_key", String(254), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("consented_at", UTCDateTime, nullable=False),
    Column("consent_version", String(32), nullable=False),
    Column("consent_text", Text, nullable=False),
    Column("article_slug", String(200)),
    Column("client_hash", String(64)),
    Column("unsubscribed_at", UTCDateTime),
    CheckConstraint("status IN ('subscribed', 'unsubscribed')", name="signups_status"),
    UniqueConstraint("email_key", name="signups_email_key_key"),
)
Index("signups_created_at", signups.c.created_at)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("session_version", Integer, nullable=False, server_default="1"),
    UniqueConstraint("email", name="users_email_key"),
)
