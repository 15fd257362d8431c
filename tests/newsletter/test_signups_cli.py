"""`flask signups export|erase|purge|new-unsubscribe-link|backup`, `flask mail outbox|send` and
`flask users create`, against SQLite and PostgreSQL."""

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
    """Three confirmed signups (one from 2025, one with a formula-like address) and a pending one."""
    with app.app_context():
        for email in ("old@example.com", "=cmd@example.com", "new@example.com"):
            signups.add_signup(email, CURRENT, article_slug="sleep")
            signups.confirm(signups.find(email).confirm_nonce, None, webhook=False)
        signups.add_signup("waiting@example.com", CURRENT)
        with writing() as connection:
            connection.execute(
                update(table)
                .where(table.c.email == "old@example.com")
                .values(created_at=datetime(2025, 6, 1, tzinfo=UTC))
            )
    return app


def test_export_csv_streams_the_confirmed_subscribers_defused(filled, runner):
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
    assert data[0]["consent_text"] == CURRENT.text and data[0]["status"] == "confirmed"
    assert [event["event"] for event in data[0]["events"]] == ["signed_up", "confirmed"]
    assert data[0]["events"][1]["consent_version"] == CURRENT.version and data[0]["confirmed_at"]


@pytest.mark.parametrize(
    ("status", "emails"),
    [
        ("pending", ["waiting@example.com"]),
        ("unsubscribed", []),
        ("all", ["old@example.com", "=cmd@example.com", "new@example.com", "waiting@example.com"]),
    ],
)
def test_export_by_status_carries_each_rows_own_events(filled, runner, status, emails):
    result = runner.invoke(args=["signups", "export", "--format", "json", "--status", status])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [item["email"] for item in data] == emails
    for item in data:
        assert item["events"][0]["event"] == "signed_up" and item["status"] == (
            "pending" if item["email"] == "waiting@example.com" else "confirmed"
        )
    assert runner.invoke(args=["signups", "export", "--status", "maybe"]).exit_code == 2


def test_erase_asks_then_removes_the_address_for_good(filled, runner):
    refused = runner.invoke(args=["signups", "erase", "new@example.com"], input="n\n")
    assert refused.exit_code == 1
    result = runner.invoke(args=["signups", "erase", "new@Example.COM"], input="y\n")
    assert result.exit_code == 0 and "Erased new@example.com" in result.output
    again = runner.invoke(args=["signups", "erase", "new@example.com", "--yes"])
    assert again.exit_code == 1 and "no signup for new@example.com" in again.output
    bad = runner.invoke(args=["signups", "erase", "not an address", "--yes"])
    assert bad.exit_code == 2 and "valid email address" in bad.output
    everyone = json.loads(
        runner.invoke(args=["signups", "export", "--format", "json", "--status", "all"]).output
    )
    assert "new@example.com" not in json.dumps(everyone)
    with filled.app_context():
        assert signups.stats().erased == 1


def test_purge_and_new_unsubscribe_link(filled, runner):
    result = runner.invoke(args=["signups", "purge"])
    assert result.exit_code == 0 and "Deleted 0 never-confirmed signups" in result.output
    with filled.app_context():
        old = signups.find("old@example.com").unsubscribe_key
    link = runner.invoke(args=["signups", "new-unsubscribe-link", "old@example.com"])
    assert link.exit_code == 0 and link.output.startswith("https://healthy.example/newsletter/unsubscribe/")
    assert old not in link.output
    missing = runner.invoke(args=["signups", "new-unsubscribe-link", "nobody@example.com"])
    assert missing.exit_code == 1


def test_mail_send_and_outbox_list_the_eml_files_when_email_is_not_configured(filled, runner):
    sent = runner.invoke(args=["mail", "send"])
    # 3 welcomes and 1 confirmation; the 3 others' confirmations are moot (they confirmed already).
    assert sent.exit_code == 0 and sent.output == "4 sent, 0 deferred, 0 refused, 3 obsolete\n"
    listing = runner.invoke(args=["mail", "outbox"])
    assert listing.exit_code == 0 and "0 waiting, 4 sent, 0 failed" in listing.output
    assert "Email is not configured" in listing.output and "4 messages written" in listing.output
    assert "to waiting@example.com  Confirm your subscription to Healthy Tips" in listing.output


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
    assert "Backed up 4 signups" in result.output and "integrity check: ok" in result.output
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("SELECT count(*) FROM signups").fetchone() == (4,)
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
