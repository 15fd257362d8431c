"""Per-client rate limits on signups, in memory and in Redis, and where the client address comes from."""

import pytest

from webapp.db.migrate import upgrade


@pytest.fixture
def app_config(ratelimit_storage, tmp_path):
    """A migrated SQLite database, a limit of 3 signups a minute, in each limiter storage."""
    url = f"sqlite:///{tmp_path / 'limits.sqlite3'}"
    upgrade(url)
    return {"DATABASE_URL": url, "SIGNUP_RATE_LIMIT": "3 per minute", **ratelimit_storage}


def sign_up(client, n: int, address: str = "203.0.113.1", **headers):
    """One signup from a given client address."""
    data = {"email": f"reader{n}@example.com", "website": ""}
    return client.post(
        "/newsletter/signup",
        data=data,
        headers={"HX-Request": "true", **headers},
        environ_base={"REMOTE_ADDR": address},
    )


def test_a_client_over_the_signup_limit_gets_429_with_the_form_kept(app, client):
    statuses = [sign_up(client, n).status_code for n in range(3)]
    refused = sign_up(client, 3)
    assert statuses == [200, 200, 200] and refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert "Too many signups from your connection" in html and 'value="reader3@example.com"' in html
    assert refused.headers["Retry-After"]
    assert sign_up(client, 4, address="198.51.100.7").status_code == 200  # another reader is not affected
    if app.config["RATELIMIT_STORAGE_URI"].startswith("redis"):  # the counts really live in Redis
        import redis

        server = redis.Redis.from_url(app.config["RATELIMIT_STORAGE_URI"])
        assert server.keys(f"*{app.config['RATELIMIT_KEY_PREFIX']}*203.0.113.1*")


def test_a_forwarded_address_is_ignored_unless_a_proxy_is_trusted(client):
    for n in range(3):
        sign_up(client, n, **{"X-Forwarded-For": f"192.0.2.{n}"})
    assert sign_up(client, 3, **{"X-Forwarded-For": "192.0.2.99"}).status_code == 429


@pytest.mark.parametrize("ratelimit_storage", ["memory"], indirect=True)
def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_limit(
    app_config, tmp_path, static_build_dir
):
    from backends import make_app

    app = make_app(tmp_path / "proxy", static_build_dir, **app_config, TRUSTED_PROXIES=1)
    client = app.test_client()
    for n in range(3):
        assert sign_up(client, n, address="10.0.0.1", **{"X-Forwarded-For": "192.0.2.1"}).status_code == 200
    assert sign_up(client, 3, address="10.0.0.1", **{"X-Forwarded-For": "192.0.2.1"}).status_code == 429
    assert sign_up(client, 4, address="10.0.0.1", **{"X-Forwarded-For": "192.0.2.2"}).status_code == 200


def test_ipv6_clients_are_counted_per_64_network(app, client):
    """Every address of one /64 is one subscriber: rotating through them earns no extra signups."""
    statuses = [sign_up(client, n, address=f"2001:db8:1:2::{n + 1:x}").status_code for n in range(3)]
    refused = sign_up(client, 3, address="2001:db8:1:2:ffff:ffff:ffff:ffff")
    assert statuses == [200, 200, 200] and refused.status_code == 429
    assert sign_up(client, 4, address="2001:db8:1:3::1").status_code == 200  # the next /64 is someone else
    assert sign_up(client, 5, address="::ffff:203.0.113.9").status_code == 200  # IPv4-mapped: that IPv4
