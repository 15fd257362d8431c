"""Double opt-in: pending and confirmed signups, their consent events, erasure tombstones and the outbox.

Revision ID: 0003
Revises: 0002

Signups of the single opt-in days ('subscribed') become 'confirmed' with no confirmed_at: they agreed on
our form but were never asked by email. Every signup gets its own random unsubscribe key, and its history
starts with the events its row already proves (signed up; unsubscribed).
"""

import sqlalchemy as sa
from alembic import op

from webapp.db.schema import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STATUSES = "status IN ('pending', 'confirmed', 'unsubscribed', 'undeliverable')"
RANDOM_KEY = {
    "sqlite": "lower(hex(randomblob(16)))",
    "postgresql": "md5(random()::text || clock_timestamp()::text || id::text)",
}
APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER signup_events_append_only BEFORE UPDATE ON signup_events"
        " BEGIN SELECT RAISE(ABORT, 'signup events are append-only'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION signup_events_append_only() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'signup events are append-only'; END $$",
        "CREATE TRIGGER signup_events_append_only BEFORE UPDATE ON signup_events"
        " FOR EACH ROW EXECUTE FUNCTION signup_events_append_only()",
    ],
}


def upgrade() -> None:
    """Widen the statuses, add the confirmation and unsubscribe keys, and the three new tables."""
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("signups") as batch:
        batch.drop_constraint("signups_status", type_="check")
        batch.add_column(sa.Column("confirmed_at", UTCDateTime, nullable=True))
        batch.add_column(sa.Column("confirm_nonce", sa.String(32), nullable=True))
        batch.add_column(sa.Column("unsubscribe_key", sa.String(32), nullable=True))
    op.execute("UPDATE signups SET status = 'confirmed' WHERE status = 'subscribed'")
    op.execute(f"UPDATE signups SET unsubscribe_key = {RANDOM_KEY[dialect]}")
    with op.batch_alter_table("signups") as batch:
        batch.alter_column("unsubscribe_key", existing_type=sa.String(32), nullable=False)
        batch.create_check_constraint("signups_status", STATUSES)
        batch.create_unique_constraint("signups_unsubscribe_key_key", ["unsubscribe_key"])
    op.create_index("signups_status_consented_at", "signups", ["status", "consented_at"])

    op.create_table(
        "signup_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("signup_id", sa.Integer, sa.ForeignKey("signups.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("consent_version", sa.String(32)),
        sa.Column("client_hash", sa.String(64)),
        sa.Column("detail", sa.Text),
    )
    op.create_index("signup_events_signup_id", "signup_events", ["signup_id", "id"])
    op.execute(
        "INSERT INTO signup_events (signup_id, kind, at, consent_version, client_hash, detail)"
        " SELECT id, 'signed_up', consented_at, consent_version, client_hash, 'single opt-in'"
        " FROM signups"
    )
    op.execute(
        "INSERT INTO signup_events (signup_id, kind, at, consent_version)"
        " SELECT id, 'unsubscribed', unsubscribed_at, consent_version FROM signups"
        " WHERE status = 'unsubscribed' AND unsubscribed_at IS NOT NULL"
    )
    for statement in APPEND_ONLY[dialect]:
        op.execute(statement)

    op.create_table(
        "erasures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("erased_at", UTCDateTime, nullable=False),
        sa.Column("signed_up_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("article_slug", sa.String(200)),
    )

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("topic", sa.String(32), nullable=False),
        sa.Column("signup_id", sa.Integer, sa.ForeignKey("signups.id", ondelete="CASCADE")),
        sa.Column("payload", sa.Text),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime, nullable=False),
        sa.Column("leased_until", UTCDateTime),
        sa.Column("lease_owner", sa.String(64)),
        sa.Column("last_error", sa.Text),
        sa.Column("sent_at", UTCDateTime),
        sa.CheckConstraint("kind IN ('email', 'webhook')", name="outbox_kind"),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name="outbox_status"),
    )
    op.create_index("outbox_due", "outbox", ["status", "next_attempt_at"])
    op.create_index("outbox_signup_id", "outbox", ["signup_id"])


def downgrade() -> None:
    """Back to single opt-in: confirmed and pending signups count as subscribed; history is dropped."""
    op.drop_index("outbox_signup_id", table_name="outbox")
    op.drop_index("outbox_due", table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("erasures")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER signup_events_append_only ON signup_events")
        op.execute("DROP FUNCTION signup_events_append_only()")
    op.drop_index("signup_events_signup_id", table_name="signup_events")
    op.drop_table("signup_events")
    op.drop_index("signups_status_consented_at", table_name="signups")
    with op.batch_alter_table("signups") as batch:
        batch.drop_constraint("signups_unsubscribe_key_key", type_="unique")
        batch.drop_constraint("signups_status", type_="check")
    op.execute("UPDATE signups SET status = 'subscribed' WHERE status IN ('pending', 'confirmed')")
    op.execute("UPDATE signups SET status = 'unsubscribed' WHERE status = 'undeliverable'")
    with op.batch_alter_table("signups") as batch:
        batch.drop_column("unsubscribe_key")
        batch.drop_column("confirm_nonce")
        batch.drop_column("confirmed_at")
        batch.create_check_constraint("signups_status", "status IN ('subscribed', 'unsubscribed')")
