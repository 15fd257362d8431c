"""Signups: one row per reader, with the consent they gave.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from webapp.db.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the signups table."""
    op.create_table(
        "signups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("email_key", sa.String(254), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("consent_version", sa.String(32), nullable=False),
        sa.Column("consent_text", sa.Text, nullable=False),
        sa.Column("article_slug", sa.String(200)),
        sa.Column("client_hash", sa.String(64)),
        sa.CheckConstraint("status IN ('subscribed', 'unsubscribed')", name="signups_status"),
        sa.UniqueConstraint("email_key", name="signups_email_key_key"),
    )
    op.create_index("signups_created_at", "signups", ["created_at"])


def downgrade() -> None:
    """Drop the signups table."""
    op.drop_index("signups_created_at", table_name="signups")
    op.drop_table("signups")
