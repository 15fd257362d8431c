"""The tables of the signups store, as SQLAlchemy Core: the single description migrations must match."""

from datetime import UTC, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
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
    Column("confirmed_at", UTCDateTime),
    Column("confirm_nonce", String(32)),  # The one confirmation link that works; cleared once used.
    Column("unsubscribe_key", String(32), nullable=False),  # Random; replaced to revoke old links.
    CheckConstraint(
        "status IN ('pending', 'confirmed', 'unsubscribed', 'undeliverable')", name="signups_status"
    ),
    UniqueConstraint("email_key", name="signups_email_key_key"),
    UniqueConstraint("unsubscribe_key", name="signups_unsubscribe_key_key"),
)
Index("signups_created_at", signups.c.created_at)
Index("signups_status_consented_at", signups.c.status, signups.c.consented_at)

# Append-only (a trigger refuses UPDATE): each change of a signup's state, deleted only with the signup.
signup_events = Table(
    "signup_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("signup_id", Integer, ForeignKey("signups.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("consent_version", String(32)),
    Column("client_hash", String(64)),
    Column("detail", Text),
)
Index("signup_events_signup_id", signup_events.c.signup_id, signup_events.c.id)

# What is left of an erased signup: no address, no client, only what keeps the totals right.
erasures = Table(
    "erasures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("erased_at", UTCDateTime, nullable=False),
    Column("signed_up_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("article_slug", String(200)),
)

# Emails and webhook calls written in the transaction that caused them, sent later by the mail sender.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("topic", String(32), nullable=False),
    Column("signup_id", Integer, ForeignKey("signups.id", ondelete="CASCADE")),
    Column("payload", Text),
    Column("message_id", String(255), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("leased_until", UTCDateTime),
    Column("lease_owner", String(64)),
    Column("last_error", Text),
    Column("sent_at", UTCDateTime),
    CheckConstraint("kind IN ('email', 'webhook')", name="outbox_kind"),
    CheckConstraint("status IN ('pending', 'sent', 'failed')", name="outbox_status"),
)
Index("outbox_due", outbox.c.status, outbox.c.next_attempt_at)
Index("outbox_signup_id", outbox.c.signup_id)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("session_version", Integer, nullable=False, server_default="1"),
    Column("disabled_at", UTCDateTime),  # set by `flask users disable`: no sign-in, no session
    Column("totp_secret", String(64)),  # base32; set once the marketer has enrolled an authenticator
    Column("totp_last_step", Integer),  # the last 30-second step used: a code works once
    UniqueConstraint("email", name="users_email_key"),
)

recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("code_hash", String(64), nullable=False),  # SHA-256 of a 120-bit random code
    Column("used_at", UTCDateTime),
    UniqueConstraint("code_hash", name="recovery_codes_code_hash_key"),
)
Index("recovery_codes_user_id", recovery_codes.c.user_id)


# Article insights (webapp/insights): daily counters only, never a row per reader. Site totals are sums.
def _counters(*names: str) -> list[Column]:
    """Counter columns that start at zero."""
    return [Column(name, Integer, nullable=False, server_default="0") for name in names]


insight_days = Table(
    "insight_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("article_slug", String(200), primary_key=True),
    # faq_readers: page views in which any question was opened; signups_after_faq: signups among them.
    *_counters("views", "reads", "cta_views", "faq_readers", "signups", "signups_after_faq", "confirmed"),
)
insight_faq_days = Table(
    "insight_faq_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("article_slug", String(200), primary_key=True),
    Column("question", Integer, primary_key=True),  # 1-based, as on the page (#faq-2)
    *_counters("opens", "signups"),
)
insight_source_days = Table(
    "insight_source_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("kind", String(16), primary_key=True),  # referrer, utm_source, utm_medium, utm_campaign
    Column("value", String(253), primary_key=True),
    *_counters("views"),
)
# Buffer flushes already applied (webapp/insights/buffer.py), so a retried flush never counts twice.
insight_flushes = Table(
    "insight_flushes",
    metadata,
    Column("flush_id", String(64), primary_key=True),  # starts with the time: old ones sort first
    Column("flushed_at", UTCDateTime, nullable=False),
)
