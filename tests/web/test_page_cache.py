"""The page cache on the in-process backend and on real Redis: sharing, versioning and outages.

Redis is the server on TEST_REDIS_URL (default redis://127.0.0.1:6379/0); every test uses a key prefix
of its own and deletes its keys afterwards. A missing Redis skips with the reason, or fails under CI.
"""

import logging
import pickle
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import redis
from backends import REDIS_URL, missing

from webapp import create_app
from webapp.articles.library import reload_library
from webapp.web import page_cache
from webapp.web import render_version as versioning
from webapp.web.page_cache import CachedPage, cache, compress
from webapp.web.page_store import MAGIC, decode, encode
from webapp.web.render_version import render_version

ROOT = Path(__file__).resolve().parents[2]
SLUG = "circadian-rhythm-light"


def redis_or_missing(url: str = REDIS_URL) -> redis.Redis:
    """A client of the test Redis, or a skip (a failure under CI) when it is not running."""
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        missing("Redis", error)
    return client


def make_app(tmp_path: Path, static_build_dir: Path, **config) -> object:
    """An app on the real content (unless told otherwise) with the given cache settings."""
    instance = tmp_path / f"instance-{uuid.uuid4().hex[:6]}"
    base = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-of-32-bytes-or-more",
        "STATIC_BUILD_DIR": str(static_build_dir),
    }
    return create_app({**base, "INSTANCE_PATH": str(instance), **config})


@pytest.fixture(params=["SimpleCache", "RedisCache"])
def backend(request):
    """Cache settings for each backend; on Redis, a fresh key prefix whose keys are deleted after."""
    prefix = f"test-page-cache-{uuid.uuid4().hex[:12]}:"
    settings = {"CACHE_TYPE": request.param, "CACHE_KEY_PREFIX": prefix}
    if request.param == "SimpleCache":
        yield settings
        return
    client = redis_or_missing()
    yield {**settings, "CACHE_REDIS_URL": REDIS_URL}
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)
    client.close()


def stored_keys(settings: dict) -> list[bytes]:
    """The page keys a Redis-backed test wrote (none for the in-process backend)."""
    if settings["CACHE_TYPE"] != "RedisCache":
        return []
    return list(redis.Redis.from_url(REDIS_URL).scan_iter(match=settings["CACHE_KEY_PREFIX"] + "page|*"))


def test_a_page_renders_once_then_comes_from_the_cache(backend, tmp_path, static_build_dir):
    client = make_app(tmp_path, static_build_dir, **backend).test_client()
    first = client.get(f"/articles/{SLUG}")
    second = client.get(f"/articles/{SLUG}")
    assert first.status_code == second.status_code == 200
    assert (first.headers["X-App-Cache"], second.headers["X-App-Cache"]) == ("miss", "hit")
    assert first.get_data() == second.get_data() and first.headers["ETag"] == second.headers["ETag"]
    if backend["CACHE_TYPE"] == "RedisCache":
        assert len(stored_keys(backend)) == 1


def test_cached_page_round_trips_through_the_backend(backend, tmp_path, static_build_dir):
    app = make_app(tmp_path, static_build_dir, **backend)
    page = compress(404, "<p>Ünïcode ✓</p>" * 50, "application/atom+xml")
    with app.app_context():
        cache.set("round-trip", page)
        again = cache.get("round-trip")
    assert isinstance(again, CachedPage) and again == page
    # in-process: the very object, nothing to decode; in Redis: bytes in our layout, decoded to a copy
    assert (again is page) == (backend["CACHE_TYPE"] == "SimpleCache")


def test_the_stored_layout_is_exact_and_anything_else_is_a_miss():
    page = compress(200, "<p>page</p>" * 30)
    data = encode(page)
    assert data.startswith(MAGIC) and decode(data) == page
    assert decode(data[:-1]) is None and decode(data + b"x") is None  # cut short, or something after it
    assert decode(b"") is None and decode(b"HTPAGE2\n" + data[8:]) is None  # another layout
    assert decode(pickle.dumps(page)) is None  # a pickle (of a page, even) is never unpickled
    wrong_etag = data.replace(page.etag.encode(), b"Z" * 32)
    assert decode(wrong_etag) is None


def test_instances_on_the_same_release_share_entries(backend, tmp_path, static_build_dir):
    writer = make_app(tmp_path, static_build_dir, **backend).test_client()
    reader = make_app(tmp_path, static_build_dir, **backend).test_client()
    written = writer.get(f"/articles/{SLUG}", headers={"Accept-Encoding": "br"})
    read = reader.get(f"/articles/{SLUG}", headers={"Accept-Encoding": "br"})
    assert written.headers["X-App-Cache"] == "miss"
    shared = backend["CACHE_TYPE"] == "RedisCache"  # the in-process cache belongs to one process
    assert read.headers["X-App-Cache"] == ("hit" if shared else "miss")
    assert read.get_data() == written.get_data() and read.headers["ETag"] == written.headers["ETag"]


def test_version_follows_file_bytes_not_file_times(tmp_path, static_build_dir):
    copy = tmp_path / "content"
    shutil.copytree(ROOT / "content", copy)  # new modification times, same bytes
    original = make_app(tmp_path, static_build_dir)
    copied = make_app(tmp_path, static_build_dir, CONTENT_DIR=str(copy))
    assert render_version(original) == render_version(copied)
    elsewhere = make_app(tmp_path, static_build_dir, SITE_URL="https://example.org")
    assert render_version(elsewhere) != render_version(original)


def test_a_restart_reads_only_the_files_that_changed(tmp_path, static_build_dir, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    app = make_app(tmp_path, static_build_dir, CONTENT_DIR=str(content))
    first = render_version(app)
    opened = []
    spy = lambda path, *args: opened.append(path) or open(path, *args)  # noqa: E731
    monkeypatch.setattr(versioning, "open", spy, raising=False)
    assert render_version(app) == first and opened == []  # a stat per file, no reading
    edited = content / f"{SLUG}.md"
    edited.write_text(edited.read_text() + "\nOne more sentence.\n")
    assert render_version(app) != first and opened == [str(edited)]


def test_a_content_change_is_never_served_stale(backend, tmp_path, static_build_dir):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    app = make_app(tmp_path, static_build_dir, CONTENT_DIR=str(content), **backend)
    client = app.test_client()
    before = client.get(f"/articles/{SLUG}")
    assert client.get(f"/articles/{SLUG}").headers["X-App-Cache"] == "hit"
    marker = f"Edited sentence {uuid.uuid4().hex[:8]}."
    with (content / f"{SLUG}.md").open("a", encoding="utf-8") as handle:
        handle.write(f"\n{marker}\n")
    reload_library(app)
    after = client.get(f"/articles/{SLUG}")
    assert after.headers["X-App-Cache"] == "miss" and marker in after.get_data(as_text=True)
    assert after.headers["ETag"] != before.headers["ETag"]
    # another instance started on the edited content reads the new page, never the old one
    other = make_app(tmp_path, static_build_dir, CONTENT_DIR=str(content), **backend).test_client()
    assert marker in other.get(f"/articles/{SLUG}").get_data(as_text=True)
    if backend["CACHE_TYPE"] == "RedisCache":
        assert len(stored_keys(backend)) == 2  # the old version's entry simply expires


def closed_port() -> int:
    """A local TCP port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_redis_down_pages_still_render_and_the_error_is_logged_once(
    tmp_path, static_build_dir, caplog, monkeypatch
):
    url = f"redis://127.0.0.1:{closed_port()}/0"
    app = make_app(tmp_path, static_build_dir, CACHE_TYPE="RedisCache", CACHE_REDIS_URL=url)
    monkeypatch.setattr(page_cache, "RETRY_SECONDS", 0.0)  # try Redis on every request
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        responses = [client.get(path) for path in ["/", f"/articles/{SLUG}", f"/articles/{SLUG}"] * 2]
    assert [r.status_code for r in responses] == [200] * 6
    assert {r.headers["X-App-Cache"] for r in responses} == {"miss"}
    assert "<!doctype html>" in responses[1].get_data(as_text=True)
    errors = [r for r in caplog.records if "Page cache unavailable" in r.getMessage()]
    assert len(errors) == 1 and errors[0].levelno == logging.ERROR


@pytest.fixture
def private_redis(tmp_path):
    """A Redis server of this test's own, which the test may stop and start again."""
    server = shutil.which("redis-server")
    if server is None:
        missing("redis-server", FileNotFoundError("redis-server is not installed"))
    port = closed_port()
    command = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    command += ["--dir", str(tmp_path)]

    def start() -> subprocess.Popen:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                return process
            except redis.ConnectionError:
                time.sleep(0.05)
        process.kill()
        raise RuntimeError("redis-server did not start")

    state = {"process": start()}
    yield port, state, start
    state["process"].terminate()
    state["process"].wait(timeout=10)


def test_the_cache_comes_back_after_an_outage(private_redis, tmp_path, static_build_dir, caplog, monkeypatch):
    port, state, start = private_redis
    url = f"redis://127.0.0.1:{port}/0"
    app = make_app(tmp_path, static_build_dir, CACHE_TYPE="RedisCache", CACHE_REDIS_URL=url)
    monkeypatch.setattr(page_cache, "RETRY_SECONDS", 0.0)
    client = app.test_client()
    assert [client.get("/").headers["X-App-Cache"] for _ in range(2)] == ["miss", "hit"]
    state["process"].terminate()
    state["process"].wait(timeout=10)
    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        down = [client.get("/") for _ in range(3)]
        assert [r.status_code for r in down] == [200] * 3
        state["process"] = start()  # an empty Redis, as after a restart without persistence
        back = [client.get("/").headers["X-App-Cache"] for _ in range(2)]
    assert back == ["miss", "hit"]
    messages = [r.getMessage() for r in caplog.records]
    assert sum("Page cache unavailable" in m for m in messages) == 1
    assert sum("Page cache available again" in m for m in messages) == 1
