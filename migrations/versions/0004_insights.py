"""Article insights: daily counters per article, per FAQ question and per traffic source.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from webapp.db.schema import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _counters(*names: str) -> list[sa.Column]:
    """Counter columns that start at zero."""
    return [sa.Column(name, sa.Integer, nullable=False, server_default="0") for name in names]


def upgrade() -> None:
    """Create the counter tables and the record of applied buffer flushes."""
    op.create_table(
        "insight_days",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("article_slug", sa.String(200), primary_key=True),
        *_counters("views", "reads", "cta_views", "faq_readers", "signups", "signups_after_faq", "confirmed"),
    )
    op.create_table(
        "insight_faq_days",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("article_slug", sa.String(200), primary_key=True),
        sa.Column("question", sa.Integer, primary_key=True),
        *_counters("opens", "signups"),
    )
    op.create_table(
        "insight_source_days",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("value", sa.String(253), primary_key=True),
        *_counters("views"),
    )
    op.create_table(
        "insight_flushes",
        sa.Column("flush_id", sa.String(64), primary_key=True),
        sa.Column("flushed_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    """Drop the insight tables (the counts are lost)."""
    for table in ("insight_flushes", "insight_source_days", "insight_faq_days", "insight_days"):
        op.drop_table(table)
