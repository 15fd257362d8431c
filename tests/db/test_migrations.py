"""Alembic migrations: the same on SQLite and PostgreSQL, and upgrading never loses a row."""

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, MetaData, Table, create_engine, exc, func, select, text

from webapp.db.migrate import alembic_config, current_revision, upgrade
from webapp.db.schema import metadata, signup_events, signups, users

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()

OLD_COLUMNS = (
    "email",
    "email_key",
    "status",
    "created_at",
    "consent_version",
    "consent_text",
    "article_slug",
)
OLD_ROWS = [
    (
        "Ann@example.com",
        "ann@example.com",
        "subscribed",
        datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        "v1",
        "Old.",
        "a",
    ),
    (
        "bob@example.com",
        "bob@example.com",
        "unsubscribed",
        datetime(2025, 2, 3, 4, 5, tzinfo=UTC),
        "v1",
        "Old.",
        None,
    ),
    (
        "ünï@exämple.com",
        "ünï@exämple.com",
        "subscribed",
        datetime(2025, 3, 4, 5, 6, tzinfo=UTC),
        "v2",
        "Ölder.",
        "b",
    ),
]


def run(url: str, sql: str, **params):
    """Execute one statement in its own transaction and return all rows it returns."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(sql), params)
            return result.all() if result.returns_rows else None
    finally:
        engine.dispose()


def test_upgrading_an_old_database_holding_rows_keeps_every_row(database_url):
    upgrade(database_url, "0001")
    assert current_revision(database_url) == "0001"
    # The rows as the 0001 code stored them: through the same column types, without the newer columns.
    old_table = Table(
        "signups",
        MetaData(),
        *(Column(column.name, column.type) for column in signups.columns if column.name in OLD_COLUMNS),
    )
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                old_table.insert(), [dict(zip(OLD_COLUMNS, row, strict=True)) for row in OLD_ROWS]
            )
        upgrade(database_url)
        assert current_revision(database_url) == HEAD
        with engine.connect() as connection:
            rows = connection.execute(select(signups).order_by(signups.c.id)).all()
            assert connection.execute(select(func.count()).select_from(users)).scalar() == 0
            events = connection.execute(select(signup_events.c.signup_id, signup_events.c.kind)).all()
    finally:
        engine.dispose()
    # Single opt-in signups count as confirmed (with no confirmation time); their history starts.
    migrated = [(*row[:2], {"subscribed": "confirmed"}.get(row[2], row[2]), *row[3:]) for row in OLD_ROWS]
    assert [tuple(getattr(row, name) for name in OLD_COLUMNS) for row in rows] == migrated
    assert all(row.consented_at == row.created_at and row.unsubscribed_at is None for row in rows)
    assert all(row.confirmed_at is None for row in rows)
    assert len({row.unsubscribe_key for row in rows}) == len(rows)
    assert sorted(events) == [(row.id, "signed_up") for row in rows]


def test_the_rules_survive_the_upgrade(database_url):
    upgrade(database_url, "0001")
    upgrade(database_url)
    insert = (
        "INSERT INTO signups (email, email_key, status, created_at, consented_at, consent_version,"
        " consent_text, unsubscribe_key) VALUES (:e, :e, :s, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,"
        " 'v', 't', :e)"
    )
    run(database_url, insert, e="a@example.com", s="confirmed")
    with pytest.raises(exc.IntegrityError):
        run(database_url, insert, e="a@example.com", s="pending")
    with pytest.raises(exc.IntegrityError):
        run(database_url, insert, e="b@example.com", s="subscribed")
    run(
        database_url,
        "INSERT INTO signup_events (signup_id, kind, at) SELECT id, 'x', CURRENT_TIMESTAMP FROM signups",
    )
    with pytest.raises(exc.DBAPIError):  # the history is append-only
        run(database_url, "UPDATE signup_events SET kind = 'forged'")


def test_the_migrated_schema_is_exactly_the_one_the_code_describes(database_url):
    upgrade(database_url)
    upgrade(database_url)  # a second run (every `make run`) finds nothing to do
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_flask_db_upgrade_migrates_the_configured_database(app, runner, database_url):
    app.config["DATABASE_URL"] = database_url
    result = runner.invoke(args=["db", "current"])
    assert result.output.strip() == "not migrated"
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0 and f"Database at revision {HEAD}." in result.output
    assert runner.invoke(args=["db", "current"]).output.strip() == HEAD
