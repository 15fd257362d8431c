"""The beacons' per-client limit, counted before Flask builds a request: in Flask-Limiter's storage
(memory and Redis) under the keys it gives the endpoint, per IPv6 /64, per forwarded address behind a
trusted proxy, shortest window first, in memory while a shared storage is down, and off when limits are."""

import logging

import pytest
from backends import make_app
from insights_helpers import beacon, counters

from webapp.articles.library import library_of
from webapp.db.migrate import upgrade

DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def make(tmp_path, static_build_dir):
    """Build an app on a migrated SQLite database with the given settings, and its article's slug."""
    url = f"sqlite:///{tmp_path / 'limits.sqlite3'}"
    upgrade(url)

    def build(**config):
        app = make_app(tmp_path / "instance", static_build_dir, DATABASE_URL=url, **config)
        return app, library_of(app).articles[0].slug

    return build


def statuses(app, slug: str, count: int, address: str = "203.0.113.1", **headers) -> list[int]:
    """The statuses of `count` view beacons from one client address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return [beacon(client, {"a": slug, "e": [{"t": "view"}]}, **headers).status_code for _ in range(count)]


def test_a_client_over_the_limit_gets_429_in_json_and_another_client_does_not(make, ratelimit_storage):
    app, slug = make(INSIGHTS_RATE_LIMIT="3 per minute", **ratelimit_storage)
    assert statuses(app, slug, 3) == [204] * 3
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.1"
    refused = beacon(client, {"a": slug, "e": [{"t": "view"}]})
    assert refused.status_code == 429 and refused.get_json() == {"error": "3 per 1 minute"}
    assert refused.headers["Cache-Control"] == "no-store"
    assert statuses(app, slug, 1, address="198.51.100.7") == [204]
    assert list(counters(app.config["DATABASE_URL"]).values()) == [4]
    if ratelimit_storage["RATELIMIT_STORAGE_URI"].startswith("redis"):  # Flask-Limiter's own keys
        import redis

        server = redis.Redis.from_url(ratelimit_storage["RATELIMIT_STORAGE_URI"])
        prefix = ratelimit_storage["RATELIMIT_KEY_PREFIX"]
        assert server.keys(f"LIMITS:LIMITER/{prefix}/203.0.113.1/insights.receive/3/1/minute")


def test_a_limit_is_counted_before_anything_else_is_looked_at(make):
    app, slug = make(INSIGHTS_RATE_LIMIT="2 per minute")
    assert statuses(app, slug, 3, Origin="https://elsewhere.example") == [403, 403, 429]


def test_the_shortest_window_is_checked_first_and_named(make):
    app, slug = make(INSIGHTS_RATE_LIMIT="50 per hour; 2 per minute")
    client = app.test_client()
    answers = [beacon(client, {"a": slug, "e": [{"t": "read"}]}) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [204, 204, 429]
    assert answers[-1].get_json() == {"error": "2 per 1 minute"}


def test_ipv6_clients_are_counted_per_64_network(make):
    app, slug = make(INSIGHTS_RATE_LIMIT="2 per minute")
    assert statuses(app, slug, 1, address="2001:db8:1:2::1") == [204]
    assert statuses(app, slug, 2, address="2001:db8:1:2:ffff::9") == [204, 429]
    assert statuses(app, slug, 1, address="2001:db8:1:3::1") == [204]  # the next /64 is someone else


def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_limit(make):
    app, slug = make(INSIGHTS_RATE_LIMIT="2 per minute", TRUSTED_PROXIES=1)
    first = statuses(app, slug, 3, address="10.0.0.1", X_Forwarded_For="192.0.2.1")
    assert first == [204, 204, 429]
    assert statuses(app, slug, 1, address="10.0.0.1", X_Forwarded_For="192.0.2.2") == [204]


def test_without_a_trusted_proxy_a_forwarded_address_is_ignored(make):
    app, slug = make(INSIGHTS_RATE_LIMIT="2 per minute")
    sent = [statuses(app, slug, 1, X_Forwarded_For=f"192.0.2.{n}")[0] for n in range(3)]
    assert sent == [204, 204, 429]


def test_while_a_shared_limit_storage_is_down_beacons_are_limited_in_memory(make, caplog):
    app, slug = make(INSIGHTS_RATE_LIMIT="2 per minute", RATELIMIT_STORAGE_URI=DOWN)
    caplog.set_level(logging.WARNING, logger="webapp.insights.rate_limit")
    assert statuses(app, slug, 3) == [204, 204, 429]
    assert [r.getMessage() for r in caplog.records if "counting in memory" in r.getMessage()]


def test_with_no_fallback_a_storage_outage_lets_beacons_through_when_errors_are_swallowed(make):
    app, slug = make(
        INSIGHTS_RATE_LIMIT="2 per minute",
        RATELIMIT_STORAGE_URI=DOWN,
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=False,
    )
    assert statuses(app, slug, 3) == [204] * 3
    assert list(counters(app.config["DATABASE_URL"]).values()) == [3]


def test_no_limit_applies_when_rate_limits_are_off(make):
    app, slug = make(INSIGHTS_RATE_LIMIT="1 per minute", RATELIMIT_ENABLED=False)
    assert statuses(app, slug, 3) == [204] * 3
