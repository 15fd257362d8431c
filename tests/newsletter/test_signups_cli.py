"""`flask signups export|backup` and `flask users create`, against SQLite and PostgreSQL."""

import csv
import io
import json
import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from webapp.admin import accounts
from webapp.db.engine import writing
from webapp.db.schema import signups as table
from webapp.newsletter import store as signups
from webapp.newsletter.consent import CURRENT


@pytest.fixture
def app_config(migrated_url):
    """A migrated database of each backend."""
    return {"DATABASE_URL": migrated_url, "SITE_URL": "https://healthy.example"}


@pytest.fixture
def filled(app):
    """Three signups: one from 2025, two from 2026, one of them with a formula-like address."""
    with app.app_context():
        for email in ("old@example.com", "=cmd@example.com", "new@example.com"):
            signups.add_signup(email, CURRENT, article_slug="sleep")
        with writing() as connection:
            connection.execute(
                update(table)
                .where(table.c.email == "old@example.com")
                .values(created_at=datetime(2025, 6, 1, tzinfo=UTC))
            )
    return app


def test_export_csv_streams_every_signup_defused(filled, runner):
    result = runner.invoke(args=["signups", "export"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [row["email"] for row in rows] == ["old@example.com", "'=cmd@example.com", "new@example.com"]
    assert rows[0]["signed_up_at"] == "2025-06-01T00:00:00+00:00"
    assert all(
        row["unsubscribe_url"].startswith("https://healthy.example/newsletter/unsubscribe/") for row in rows
    )


def test_export_json_since_a_day(filled, runner, tmp_path):
    target = tmp_path / "out.json"
    result = runner.invoke(
        args=["signups", "export", "--format", "json", "--since", "2026-01-01", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [item["email"] for item in data] == [
        "=cmd@example.com",
        "new@example.com",
    ]  # JSON is not a spreadsheet
    assert data[0]["consent_text"] == CURRENT.text and data[0]["status"] == "subscribed"


def test_export_rejects_a_bad_date(filled, runner):
    result = runner.invoke(args=["signups", "export", "--since", "yesterday"])
    assert result.exit_code == 2 and "yesterday" in result.output


def test_backup_writes_a_checked_copy(filled, runner, tmp_path):
    target = tmp_path / "backup.sqlite3"
    result = runner.invoke(args=["signups", "backup", str(target)])
    if filled.config["DATABASE_URL"].startswith("postgresql"):
        assert result.exit_code == 1 and "pg_dump" in result.output and not target.exists()
        return
    assert result.exit_code == 0, result.output
    assert "Backed up 3 signups" in result.output and "integrity check: ok" in result.output
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("SELECT count(*) FROM signups").fetchone() == (3,)
    copy.close()
    assert not list(tmp_path.glob(".backup.sqlite3.partial-*"))


def test_users_create_asks_for_the_password_twice_and_stores_a_hash(app, runner):
    result = runner.invoke(
        args=["users", "create", "Boss@Example.com"], input="long enough pass\nlong enough pass\n"
    )
    assert result.exit_code == 0 and "Created an account for boss@example.com" in result.output
    with app.app_context():
        assert accounts.authenticate("boss@example.com", "long enough pass") is not None
        assert accounts.authenticate("boss@example.com", "wrong") is None
    again = runner.invoke(
        args=["users", "create", "boss@example.com"], input="another long one\nanother long one\n"
    )
    assert again.exit_code == 1 and "already an account" in again.output
    short = runner.invoke(args=["users", "create", "x@example.com"], input="short\nshort\n")
    assert short.exit_code == 1 and "at least 12 characters" in short.output
