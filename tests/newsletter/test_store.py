"""The signups store and its lifecycle (pending, confirmed, unsubscribed, undeliverable, erased, purged)
with the consent history, run against SQLite and PostgreSQL alike."""

from datetime import UTC, datetime, timedelta

import pytest
from backends import clear_tables, make_app
from sqlalchemy import exc, select, update

from webapp.db.engine import reading, writing
from webapp.db.schema import erasures, outbox, signup_events
from webapp.db.schema import signups as table
from webapp.newsletter import events
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


def kinds(signup_id: int) -> list[str]:
    """The kinds of a signup's events, oldest first."""
    return [event["event"] for event in events.history(signup_id)]


def queued() -> list[tuple[str, str, int | None]]:
    """(kind, topic, signup id) of every message still waiting in the outbox."""
    query = select(outbox.c.kind, outbox.c.topic, outbox.c.signup_id).where(outbox.c.status == "pending")
    with reading() as connection:
        return [tuple(row) for row in connection.execute(query.order_by(outbox.c.id))]


def test_a_signup_is_pending_with_its_consent_its_first_event_and_its_confirmation_email(ctx):
    before = datetime.now(UTC)
    assert (
        signups.add_signup("Joe@example.com", CURRENT, article_slug="some-article", client_hash="abc")
        == "new"
    )
    [row] = rows()
    assert (row.email, row.status, row.article_slug) == ("Joe@example.com", "pending", "some-article")
    assert row.consent_text == CURRENT.text and row.consent_version == CURRENT.version
    assert row.created_at.tzinfo is not None and before - timedelta(seconds=1) <= row.created_at
    assert row.created_at <= datetime.now(UTC) and row.consented_at == row.created_at
    assert row.client_hash == "abc" and row.unsubscribed_at is None and row.confirmed_at is None
    assert len(row.confirm_nonce) == 32 and len(row.unsubscribe_key) == 32
    [event] = events.history(row.id)
    assert (event["event"], event["consent_version"], event["client_hash"]) == (
        "signed_up",
        CURRENT.version,
        "abc",
    )
    assert queued() == [("email", "confirm", row.id)]


def test_signing_up_twice_keeps_one_row_and_resends_the_confirmation_only_after_ten_minutes(ctx):
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    signups.add_signup("joe@example.com", CURRENT, article_slug="first", now=now)
    assert signups.add_signup("JOE@EXAMPLE.COM", CURRENT, article_slug="second", now=now) == "pending"
    [row] = rows()
    assert row.email == "joe@example.com" and row.article_slug == "first"
    assert len(queued()) == 1
    signups.add_signup("joe@example.com", CURRENT, now=now + timedelta(minutes=11))
    assert len(queued()) == 2 and rows()[0].confirm_nonce == row.confirm_nonce  # both emails' links work


def test_confirming_records_the_time_and_the_consent_and_queues_the_welcome(ctx):
    signups.add_signup("ann@example.com", CURRENT)
    [row] = rows()
    at = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    assert signups.confirm(row.confirm_nonce, "client", webhook=False, now=at) == "confirmed"
    [row] = rows()
    assert row.status == "confirmed" and row.confirmed_at == at
    confirmed = events.history(row.id)[-1]
    assert confirmed == {
        "event": "confirmed", "at": at.isoformat(), "consent_version": CURRENT.version,
        "client_hash": "client", "detail": None,
    }  # fmt: skip
    assert ("email", "welcome", row.id) in queued()
    assert signups.confirm(row.confirm_nonce, "client", webhook=False) == "confirmed"  # again: no change
    assert kinds(row.id).count("confirmed") == 1
    assert signups.confirm("0" * 32, None, webhook=False) is None


def test_a_re_signup_after_unsubscribing_starts_a_new_confirmation_and_keeps_the_history(ctx):
    old = Consent("old", "Old words.")
    signups.add_signup("ann@example.com", old, article_slug="gut", client_hash="first-client")
    [first] = rows()
    signups.confirm(first.confirm_nonce, "first-client", webhook=False)
    assert signups.unsubscribe(first.unsubscribe_key, "first-client", webhook=False) == "unsubscribed"
    assert signups.unsubscribe(first.unsubscribe_key, None, webhook=False) == "unsubscribed"  # no new event
    assert ("email", "welcome", first.id) not in queued()  # nothing more is sent after leaving
    assert signups.add_signup("ann@example.com", CURRENT, article_slug="sleep", client_hash="other") == (
        "resubscribed"
    )
    [again] = rows()
    assert again.id == first.id and again.status == "pending" and again.created_at == first.created_at
    assert again.confirm_nonce != first.confirm_nonce  # the old confirmation link no longer works
    assert again.consent_version == CURRENT.version and again.unsubscribed_at is not None
    assert kinds(first.id) == ["signed_up", "confirmed", "unsubscribed", "resubscribed"]
    history = events.history(first.id)
    assert (history[0]["consent_version"], history[0]["client_hash"], history[0]["detail"]) == (
        "old", "first-client", "gut"
    )  # fmt: skip
    assert (history[-1]["consent_version"], history[-1]["client_hash"], history[-1]["detail"]) == (
        CURRENT.version, "other", "sleep"
    )  # fmt: skip
    assert queued()[-1] == ("email", "confirm", first.id)


def test_the_history_cannot_be_rewritten(ctx):
    signups.add_signup("ann@example.com", CURRENT)
    with pytest.raises((exc.DBAPIError, signups.StoreUnavailable)), writing() as connection:
        connection.execute(update(signup_events).values(kind="confirmed"))
    assert kinds(rows()[0].id) == ["signed_up"]


def test_unsubscribing_with_an_unknown_key_says_so(ctx):
    assert signups.unsubscribe("f" * 32, None, webhook=False) is None
    assert signups.by_unsubscribe_key("f" * 32) is None


def test_erasing_removes_the_address_its_history_and_its_mail_and_leaves_an_anonymous_count(ctx):
    now = datetime.now(UTC)
    signups.add_signup("gone@example.com", CURRENT, article_slug="sleep")
    signups.add_signup("kept@example.com", CURRENT, article_slug="sleep")
    assert signups.erase("GONE@example.com", webhook=False) is True
    assert signups.erase("gone@example.com", webhook=False) is False
    assert [row.email for row in rows()] == ["kept@example.com"]
    with reading() as connection:
        tombstones = connection.execute(select(erasures)).all()
        orphans = connection.execute(
            select(signup_events).where(signup_events.c.signup_id != rows()[0].id)
        ).all()
    assert orphans == [] and [signup_id for _, _, signup_id in queued()] == [rows()[0].id]
    [tombstone] = tombstones
    assert tombstone.status == "pending" and tombstone.article_slug == "sleep"
    assert tombstone.signed_up_at == now.replace(hour=0, minute=0, second=0, microsecond=0)  # the day only
    assert "gone" not in repr(tuple(tombstone))
    stats = signups.stats()
    assert stats.erased == 1 and stats.per_article == [("sleep", 2, 0)]  # totals stay right


def test_never_confirmed_signups_are_deleted_after_the_pending_period_re_signups_lapse(ctx):
    now = datetime(2026, 11, 20, tzinfo=UTC)
    signups.add_signup("never@example.com", CURRENT, now=now - timedelta(days=31))
    signups.add_signup("recent@example.com", CURRENT, now=now - timedelta(days=29))
    signups.add_signup("back@example.com", CURRENT, now=now - timedelta(days=100))
    back = signups.find("back@example.com")
    signups.confirm(back.confirm_nonce, None, webhook=False, now=now - timedelta(days=99))
    signups.unsubscribe(back.unsubscribe_key, None, webhook=False, now=now - timedelta(days=60))
    signups.add_signup("back@example.com", CURRENT, now=now - timedelta(days=40))
    assert signups.purge_pending(timedelta(days=30), now) == (1, 1)
    assert {row.email: row.status for row in rows()} == {
        "recent@example.com": "pending",
        "back@example.com": "unsubscribed",
    }
    assert kinds(back.id)[-1] == "confirmation_expired"
    assert all(signup_id != back.id for _, _, signup_id in queued())


def test_a_new_unsubscribe_key_revokes_the_old_links(ctx):
    signups.add_signup("ann@example.com", CURRENT)
    old = rows()[0].unsubscribe_key
    new = signups.new_unsubscribe_key("Ann@Example.com")
    assert new != old and signups.by_unsubscribe_key(old) is None
    assert signups.unsubscribe(old, None, webhook=False) is None
    assert signups.unsubscribe(new, None, webhook=False) == "unsubscribed"
    assert signups.new_unsubscribe_key("nobody@example.com") is None


def test_webhook_calls_are_queued_for_confirmations_and_unsubscribes_only_when_configured(ctx):
    signups.add_signup("hook@example.com", CURRENT)
    row = rows()[0]
    signups.confirm(row.confirm_nonce, None, webhook=True)
    signups.unsubscribe(row.unsubscribe_key, None, webhook=True)
    signups.add_signup("quiet@example.com", CURRENT)
    quiet = signups.find("quiet@example.com")
    signups.confirm(quiet.confirm_nonce, None, webhook=False)
    hooks = [(topic, signup_id) for kind, topic, signup_id in queued() if kind == "webhook"]
    assert hooks == [("confirmed", row.id), ("unsubscribed", row.id)]


def seed(email: str, created_at: datetime, slug: str | None, status: str = "confirmed") -> None:
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
                unsubscribe_key=email,
            )
        )


def test_stats_count_totals_the_week_articles_and_days_in_utc(ctx):
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    seed("a@x.com", now - timedelta(days=1), "sleep")
    seed("b@x.com", now - timedelta(days=1, hours=1), "sleep")
    seed("c@x.com", now - timedelta(days=3), "gut", status="unsubscribed")
    seed("p@x.com", now - timedelta(days=300), "gut", status="pending")
    seed("u@x.com", now - timedelta(days=300), "gut", status="undeliverable")
    seed("d@x.com", now - timedelta(days=10), "sleep")
    seed("e@x.com", now - timedelta(days=200), None)
    # 23:30 in New York on the 17th is the 18th in UTC: days are counted in UTC.
    seed("f@x.com", datetime(2026, 11, 18, 4, 30, tzinfo=UTC), "gut")
    stats = signups.stats(now)
    assert (stats.subscribed, stats.unsubscribed, stats.new_this_week) == (5, 1, 4)
    assert (stats.pending, stats.undeliverable, stats.erased) == (1, 1, 0)
    assert stats.per_article[0] == ("gut", 4, 1)
    assert ("sleep", 3, 3) in stats.per_article and (None, 1, 1) in stats.per_article
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
    seed("left@x.com", start, None, status="unsubscribed")
    assert [row.email for row in signups.iter_rows(status="unsubscribed")] == ["left@x.com"]
    assert signups.count_rows(status="confirmed") == 25 and signups.count_rows(status="pending") == 0


def test_a_database_that_was_never_migrated_is_unavailable_not_a_crash(shared_app, database_url):
    url = shared_app.config["DATABASE_URL"]
    shared_app.config["DATABASE_URL"] = database_url
    try:
        with shared_app.app_context(), pytest.raises(signups.StoreUnavailable, match="signups"):
            signups.add_signup("joe@example.com", CURRENT)
    finally:
        shared_app.config["DATABASE_URL"] = url
