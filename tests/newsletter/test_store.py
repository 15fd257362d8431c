"""The signups store, run against SQLite and PostgreSQL alike."""

from datetime import UTC, datetime, timedelta

import pytest
from backends import clear_tables, make_app
from sqlalchemy import select

from webapp.db.engine import reading, writing
from webapp.db.schema import signups as table
from webapp.newsletter import store as signups
from webapp.newsletter.consent import CURRENT, Consent


@pytest.fixture(scope="module")
def shared_app(module_migrated_url, tmp_path_factory, static_build_dir):
    """One app per backend for this module (building an app loads every article)."""
    return make_app(tmp_path_factory.mktemp("instance"), static_build_dir, DATABASE_URL=module_migrated_url)


@pytest.fixture
def ctx(shared_app):
    """An application context on an empty database, as the views and commands have."""
    clear_tables(shared_app.config["DATABASE_URL"])
    with shared_app.app_context():
        yield shared_app


def rows() -> list:
    """Every stored signup, oldest first."""
    with reading() as connection:
        return connection.execute(select(table).order_by(table.c.id)).all()


def test_a_signup_records_address_time_article_consent_and_status(ctx):
    before = datetime.now(UTC)
    signups.add_signup("Joe@example.com", CURRENT, article_slug="some-article", client_hash="abc123")
    [row] = rows()
    assert row.email == "Joe@example.com"
    assert row.status == "subscribed"
    assert row.article_slug == "some-article"
    assert row.consent_text == CURRENT.text and row.consent_version == CURRENT.version
    assert row.created_at.tzinfo is not None and before - timedelta(seconds=1) <= row.created_at
    assert row.created_at <= datetime.now(UTC) and row.consented_at == row.created_at
    assert row.client_hash == "abc123" and row.unsubscribed_at is None


def test_signing_up_twice_in_any_letter_case_keeps_one_row(ctx):
    signups.add_signup("joe@example.com", CURRENT, article_slug="first")
    signups.add_signup("JOE@EXAMPLE.COM", CURRENT, article_slug="second")
    [row] = rows()
    assert row.email == "joe@example.com" and row.article_slug == "first"


def test_unsubscribing_keeps_the_record_and_signing_up_again_resubscribes(ctx):
    old = Consent("old", "Old words.")
    signups.add_signup("ann@example.com", old)
    [row] = rows()
    assert signups.unsubscribe(row.id) is True
    [row] = rows()
    assert row.status == "unsubscribed" and row.unsubscribed_at is not None
    assert signups.unsubscribe(row.id) is True  # again: still fine, nothing changes
    assert signups.status_of(row.id) == "unsubscribed"
    signups.add_signup("ann@example.com", CURRENT)
    [again] = rows()
    assert again.id == row.id and again.status == "subscribed" and again.unsubscribed_at is None
    assert again.consent_text == CURRENT.text and again.created_at == row.created_at


def test_unsubscribing_an_unknown_signup_says_so(ctx):
    assert signups.unsubscribe(424242) is False
    assert signups.status_of(424242) is None


def seed(email: str, created_at: datetime, slug: str | None, status: str = "subscribed") -> None:
    """Insert a signup made at a given time."""
    with writing() as connection:
        connection.execute(
            table.insert().values(
                email=email,
                email_key=email,
                status=status,
                created_at=created_at,
                consented_at=created_at,
                consent_version="v",
                consent_text="t",
                article_slug=slug,
            )
        )


def test_stats_count_totals_the_week_articles_and_days_in_utc(ctx):
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    seed("a@x.com", now - timedelta(days=1), "sleep")
    seed("b@x.com", now - timedelta(days=1, hours=1), "sleep")
    seed("c@x.com", now - timedelta(days=3), "gut", status="unsubscribed")
    seed("d@x.com", now - timedelta(days=10), "sleep")
    seed("e@x.com", now - timedelta(days=200), None)
    # 23:30 in New York on the 17th is the 18th in UTC: days are counted in UTC.
    seed("f@x.com", datetime(2026, 11, 18, 4, 30, tzinfo=UTC), "gut")
    stats = signups.stats(now)
    assert (stats.subscribed, stats.unsubscribed, stats.new_this_week) == (5, 1, 4)
    assert stats.per_article[0] == ("sleep", 3, 3)
    assert ("gut", 2, 1) in stats.per_article and (None, 1, 1) in stats.per_article
    assert stats.per_day == {
        now.date() - timedelta(days=1): 2,
        now.date() - timedelta(days=2): 1,
        now.date() - timedelta(days=3): 1,
        now.date() - timedelta(days=10): 1,
    }


def test_stats_of_an_empty_store_are_zero(ctx):
    stats = signups.stats()
    assert (stats.subscribed, stats.unsubscribed, stats.new_this_week) == (0, 0, 0)
    assert stats.per_article == [] and stats.per_day == {}


def test_rows_stream_in_order_and_since_a_date(ctx):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(25):
        seed(f"user{n}@x.com", start + timedelta(days=n), None)
    assert [row.email for row in signups.iter_rows(batch=4)] == [f"user{n}@x.com" for n in range(25)]
    since = start + timedelta(days=20)
    assert [row.email for row in signups.iter_rows(since)] == [f"user{n}@x.com" for n in range(20, 25)]
    assert signups.count_rows() == 25 and signups.count_rows(since) == 5


def test_unsubscribe_tokens_are_signed_and_hide_the_address(ctx):
    token = signups.unsubscribe_token("secret", 7)
    assert signups.read_unsubscribe_token("secret", token) == 7
    assert signups.read_unsubscribe_token("another secret", token) is None
    assert signups.read_unsubscribe_token("secret", token[:-2] + "xx") is None
    assert signups.read_unsubscribe_token("secret", "garbage") is None


def test_the_client_address_is_only_kept_as_a_keyed_hash():
    digest = signups.client_hash("secret", "203.0.113.9")
    assert "203.0.113.9" not in digest and len(digest) == 32
    assert digest == signups.client_hash("secret", "203.0.113.9")
    assert digest != signups.client_hash("other secret", "203.0.113.9")
    assert signups.client_hash("secret", None) is None


def test_a_database_that_was_never_migrated_is_unavailable_not_a_crash(shared_app, database_url):
    url = shared_app.config["DATABASE_URL"]
    shared_app.config["DATABASE_URL"] = database_url
    try:
        with shared_app.app_context(), pytest.raises(signups.StoreUnavailable, match="signups"):
            signups.add_signup("joe@example.com", CURRENT)
    finally:
        shared_app.config["DATABASE_URL"] = url
