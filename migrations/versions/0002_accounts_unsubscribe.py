"""Marketers' accounts; when each signup consented and unsubscribed.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from webapp.db.schema import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the users table, and consented_at (filled from created_at) and unsubscribed_at to signups."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("session_version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("email", name="users_email_key"),
    )
    with op.batch_alter_table("signups") as batch:
        batch.add_column(sa.Column("consented_at", UTCDateTime, nullable=True))
        batch.add_column(sa.Column("unsubscribed_at", UTCDateTime, nullable=True))
    op.execute("UPDATE signups SET consented_at = created_at")
    with op.batch_alter_table("signups") as batch:
        batch.alter_column("consented_at", existing_type=UTCDateTime, nullable=False)


def downgrade() -> None:
    """Drop what upgrade added (the consent and unsubscribe times are lost)."""
    with op.batch_alter_table("signups") as batch:
        batch.drop_column("unsubscribed_at")
        batch.drop_column("consented_at")
    op.drop_table("users")
