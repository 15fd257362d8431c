"""Two app servers sharing one PostgreSQL and one Redis, as behind a load balancer.

Both run the real production server (gunicorn, two workers each) on their own port and instance folder,
with the settings of deploy/healthytips.env.example: a fresh PostgreSQL schema for this run (migrated
once, as a deploy does), and Redis for the page cache and the rate limits under key prefixes of this
run. What one instance does, the other must see.
"""

import http.client
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import redis
from backends import REDIS_URL, drop_schema, missing, postgresql_schema_url
from liveserver import start_server
from sqlalchemy import create_engine, text

from webapp.db.migrate import upgrade
from webapp.newsletter.consent import CURRENT

ROOT = Path(__file__).resolve().parents[2]
SIGNUP_LIMIT = 5


@pytest.fixture(scope="module")
def cluster(postgresql_server, tmp_path_factory, static_build_dir):
    """Two running instances, their shared database URL and Redis key prefix; all removed afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        missing("Redis", error)
    schema, database_url = postgresql_schema_url(postgresql_server)
    prefix = f"test-multi-{uuid.uuid4().hex[:12]}"
    folder = tmp_path_factory.mktemp("cluster")
    shutil.copytree(ROOT / "content", folder / "content")  # one snapshot: both serve the same release
    upgrade(database_url)
    env = {
        "FLASK_SITE_URL": "https://healthytips.test",  # one public site (pages name it), two servers
        "FLASK_SECRET_KEY": uuid.uuid4().hex,
        "FLASK_CONTENT_DIR": str(folder / "content"),
        "FLASK_CONTENT_RELOAD_SECONDS": "0",
        "FLASK_STATIC_BUILD_DIR": str(static_build_dir),
        "FLASK_DATABASE_URL": database_url,
        "FLASK_CACHE_TYPE": "RedisCache",
        "FLASK_CACHE_REDIS_URL": REDIS_URL,
        "FLASK_CACHE_KEY_PREFIX": f"{prefix}:",
        "FLASK_RATELIMIT_STORAGE_URI": REDIS_URL,
        "FLASK_RATELIMIT_KEY_PREFIX": prefix,
        "FLASK_RATELIMIT_SWALLOW_ERRORS": "false",  # a broken Redis must fail the test, not count locally
        "FLASK_RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": "false",
        "FLASK_SIGNUP_RATE_LIMIT": f"{SIGNUP_LIMIT} per hour",
        "FLASK_TRUSTED_PROXIES": "1",  # as behind nginx: the client address comes from X-Forwarded-For
    }
    servers = []
    try:
        for name in ("a", "b"):
            servers.append(start_server(folder / name, env))
        yield {"urls": [url for _, url in servers], "database_url": database_url, "prefix": prefix}
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=30)
        drop_schema(postgresql_server, schema)
        for key in client.scan_iter(match=f"*{prefix}*"):
            client.delete(key)
        client.close()


def request(url: str, method: str = "GET", path: str = "/", body: dict | None = None, headers=None):
    """One HTTP request, redirects not followed: (status, headers, body)."""
    connection = http.client.HTTPConnection(urlsplit(url).netloc, timeout=30)
    headers = dict(headers or {})
    data = None
    if body is not None:
        data = urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def sign_up(url: str, email: str, client_address: str) -> int:
    """Post the signup form as a browser behind our proxy would; the status of the answer."""
    form = {"email": email, "article": "", "consent_version": CURRENT.version, "website": ""}
    status, _, _ = request(url, "POST", "/newsletter/signup", form, {"X-Forwarded-For": client_address})
    return status


def page_keys(prefix: str, path: str) -> list[bytes]:
    """The page-cache keys in Redis for one path (any version, page or fragment)."""
    return list(redis.Redis.from_url(REDIS_URL).scan_iter(match=f"{prefix}:page|*|{path}|*"))


def test_a_page_rendered_by_one_instance_is_served_from_the_cache_by_the_other(cluster):
    first, second = cluster["urls"]
    slug = sorted(p.stem for p in (ROOT / "content").glob("*.md") if p.name != "README.md")[0]
    path = f"/articles/{slug}"
    assert page_keys(cluster["prefix"], path) == []
    status, written, body = request(first, path=path, headers={"Accept-Encoding": "br"})
    assert status == 200 and written["X-App-Cache"] == "miss"
    assert len(page_keys(cluster["prefix"], path)) == 1  # the entry the first instance wrote
    status, read, again = request(second, path=path, headers={"Accept-Encoding": "br"})
    assert status == 200 and read["X-App-Cache"] == "hit"  # the second did not render it
    assert again == body and read["ETag"] == written["ETag"] and read["Content-Encoding"] == "br"
    assert len(page_keys(cluster["prefix"], path)) == 1
    # a CDN revalidating against either instance gets a 304 for the validator the other gave
    status, _, empty = request(second, path=path, headers={"If-None-Match": written["ETag"]})
    assert status == 304 and empty == b""


def test_a_rate_limit_reached_on_one_instance_is_enforced_on_the_other(cluster):
    first, second = cluster["urls"]
    reader, token = "198.51.100.7", uuid.uuid4().hex[:8]
    accepted = [sign_up(first, f"limit{i}.{token}@example.com", reader) for i in range(SIGNUP_LIMIT)]
    assert accepted == [303] * SIGNUP_LIMIT
    # counted per instance, the second would still accept this reader; counted in Redis, it refuses
    assert sign_up(second, f"limit-more.{token}@example.com", reader) == 429
    assert sign_up(first, f"limit-more.{token}@example.com", reader) == 429
    assert sign_up(second, f"someone-else.{token}@example.com", "198.51.100.8") == 303


def test_concurrent_signups_through_both_instances_land_exactly_once(cluster):
    first, second = cluster["urls"]
    token, count = uuid.uuid4().hex[:8], 40
    # every address sent to both instances at once, the second time with the domain in capitals
    jobs = [(first, f"reader{i}.{token}@example.com") for i in range(count)]
    jobs += [(second, f"reader{i}.{token}@EXAMPLE.COM") for i in range(count)]
    jobs = [job for pair in zip(jobs[:count], jobs[count:], strict=True) for job in pair]
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda n: sign_up(*jobs[n], f"203.0.113.{n % 250 + 1}"), range(len(jobs))))
    assert statuses == [303] * len(jobs)
    engine = create_engine(cluster["database_url"])
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT email, count(*) FROM signups WHERE email LIKE :pattern GROUP BY email"),
                {"pattern": f"%.{token}@%"},
            ).all()
    finally:
        engine.dispose()
    assert len(rows) == count and {n for _, n in rows} == {1}
    assert {email for email, _ in rows} == {f"reader{i}.{token}@example.com" for i in range(count)}
