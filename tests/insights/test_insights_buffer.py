"""The optional Redis buffer against a real Redis: counts reach the database once per flush, a retried
flush never counts twice, the flusher thread runs by itself, and a Redis outage loses nothing."""

import threading
import uuid
from datetime import date

import pytest
import redis
from backends import REDIS_URL, clear_tables, make_app, missing
from insights_helpers import beacon, counters
from liveserver import wait_for

from webapp.articles.library import get_library
from webapp.insights import counts, store


@pytest.fixture(scope="module")
def redis_client():
    """The test Redis, or a skip (a failure under CI) when it is not running."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        missing("Redis", error)
    return client


def buffered_app(url, tmp_path_factory, static_build_dir, redis_url: str, flush_seconds: float = 3600):
    """An app on `url` whose counters go through a Redis buffer under a fresh key prefix."""
    app = make_app(
        tmp_path_factory.mktemp("instance"),
        static_build_dir,
        DATABASE_URL=url,
        INSIGHTS_RATE_LIMIT="1000 per minute",
        INSIGHTS_REDIS_URL=redis_url,
        INSIGHTS_KEY_PREFIX=f"test-insights-{uuid.uuid4().hex[:12]}:",
        INSIGHTS_FLUSH_SECONDS=flush_seconds,
    )
    clear_tables(url)
    return app


@pytest.fixture
def app(module_migrated_url, tmp_path_factory, static_build_dir, redis_client):
    """An app with a buffer that only flushes when told to."""
    return buffered_app(module_migrated_url, tmp_path_factory, static_build_dir, REDIS_URL)


def slug_of(app) -> str:
    """A real article with questions."""
    with app.app_context():
        return next(a.slug for a in get_library().articles if a.faq)


def test_buffered_counts_reach_the_database_at_the_flush_exactly_once(app, redis_client):
    client, slug = app.test_client(), slug_of(app)
    for _ in range(3):
        assert (
            beacon(client, {"a": slug, "e": [{"t": "view"}, {"t": "faq", "q": 1, "first": True}]}).status_code
            == 204
        )
    assert counters(app.config["DATABASE_URL"]) == {}  # still in Redis
    buffer = app.extensions["insights"].buffer
    assert buffer.flush() == 3  # views, faq_readers, question 1's opens
    found = counters(app.config["DATABASE_URL"])
    assert [value for key, value in found.items() if key[0] == "insight_days"] == [3, 3]
    assert buffer.flush() == 0 and counters(app.config["DATABASE_URL"]) == found
    assert redis_client.keys(app.config["INSIGHTS_KEY_PREFIX"] + "*") == []


def test_a_flush_retried_after_its_database_write_counts_nothing_twice(app, redis_client):
    buffer, slug = app.extensions["insights"].buffer, slug_of(app)
    day = date(2026, 12, 1)
    added = counts.Counts({counts.article(day, slug, "views"): 7})
    assert buffer.add(added)
    # A flusher renamed the hash and wrote it to the database, then died before deleting the hash.
    flush_id = store.new_flush_id()
    redis_client.rename(buffer.pending, buffer.flushing + flush_id)
    with app.app_context():
        store.add(added, flush_id=flush_id)
    assert buffer.flush() == 0  # found the leftover, saw its flush id applied, dropped it
    assert counters(app.config["DATABASE_URL"]) == {("insight_days", "2026-12-01", slug, "views"): 7}
    assert redis_client.keys(app.config["INSIGHTS_KEY_PREFIX"] + "*") == []


def test_the_flusher_thread_flushes_by_itself(
    module_migrated_url, tmp_path_factory, static_build_dir, redis_client
):
    app = buffered_app(module_migrated_url, tmp_path_factory, static_build_dir, REDIS_URL, flush_seconds=0.2)
    slug = slug_of(app)
    assert beacon(app.test_client(), {"a": slug, "e": [{"t": "view"}]}).status_code == 204
    wait_for(lambda: counters(app.config["DATABASE_URL"]))
    assert list(counters(app.config["DATABASE_URL"]).values()) == [1]


def test_with_redis_down_every_batch_goes_straight_to_the_database(
    module_migrated_url, tmp_path_factory, static_build_dir
):
    down = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    app = buffered_app(module_migrated_url, tmp_path_factory, static_build_dir, down)
    client, slug = app.test_client(), slug_of(app)
    statuses = [beacon(client, {"a": slug, "e": [{"t": "view"}]}).status_code for _ in range(5)]
    assert statuses == [204] * 5
    assert list(counters(app.config["DATABASE_URL"]).values()) == [5]


def test_batches_from_many_threads_at_once_are_all_buffered(app):
    slug, statuses = slug_of(app), []

    def send() -> None:
        client = app.test_client()  # each thread counts through its own Redis connection
        statuses.extend(beacon(client, {"a": slug, "e": [{"t": "read"}]}).status_code for _ in range(20))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [204] * 160
    assert app.extensions["insights"].buffer.flush() == 1
    assert list(counters(app.config["DATABASE_URL"]).values()) == [160]
