"""Marketers' accounts: disabling, TOTP two-factor sign-in and hashed recovery codes.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from webapp.db.schema import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add disabled_at and the TOTP columns to users, and the recovery_codes table."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("disabled_at", UTCDateTime, nullable=True))
        batch.add_column(sa.Column("totp_secret", sa.String(64), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer, nullable=True))
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("used_at", UTCDateTime, nullable=True),
        sa.UniqueConstraint("code_hash", name="recovery_codes_code_hash_key"),
    )
    op.create_index("recovery_codes_user_id", "recovery_codes", ["user_id"])


def downgrade() -> None:
    """Drop what upgrade added (enrolled authenticators and disabled flags are lost)."""
    op.drop_index("recovery_codes_user_id", table_name="recovery_codes")
    op.drop_table("recovery_codes")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_secret")
        batch.drop_column("disabled_at")
