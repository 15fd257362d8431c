"""Whoever can write to the page cache's Redis must not run code in the app: a pickle planted under a
page key is taken for a miss, never unpickled, and replaced by the real page."""

import os
import pickle
import uuid

import pytest
import redis
from backends import REDIS_URL, make_app, missing

from webapp.articles.library import get_library
from webapp.web.page_cache import key_for
from webapp.web.page_store import MAGIC


class Planted:
    """A payload that makes a folder when unpickled: proof that code ran."""

    def __init__(self, proof: str):
        self.proof = proof

    def __reduce__(self):
        return os.mkdir, (self.proof,)


@pytest.fixture
def shared(tmp_path, static_build_dir):
    """An app whose page cache is the test Redis, under a prefix of its own (deleted afterwards)."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        missing("Redis", error)
    prefix = f"test-planted-{uuid.uuid4().hex[:8]}:"
    app = make_app(
        tmp_path / "instance", static_build_dir,
        CACHE_TYPE="RedisCache", CACHE_REDIS_URL=REDIS_URL, CACHE_KEY_PREFIX=prefix,
    )  # fmt: skip
    yield app, client, prefix
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}], ids=["page", "fragment"])
def test_a_pickle_planted_under_a_page_key_is_never_unpickled(shared, tmp_path, headers):
    app, client, prefix = shared
    proof = tmp_path / "code-ran"
    with app.app_context():
        article = next(a for a in get_library().articles if a.faq)
        version = app.extensions["page_cache"].current_version()
    paths = [f"/articles/{article.slug}", f"/articles/{article.slug}/faq/1", "/"]
    environ = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    for path in paths:
        client.set(prefix + key_for(version, path, environ), pickle.dumps(Planted(str(proof))))
    assert pickle.loads(client.get(prefix + key_for(version, paths[0], environ))) is None and proof.exists()
    proof.rmdir()  # the payload works: unpickled, it runs

    bodies = {}
    for round_ in ("planted", "replaced"):  # the first look-up finds the pickle, the second our page
        for path in paths:
            response = app.test_client().get(path, headers=headers)
            assert response.status_code == 200, (round_, path)
            assert response.headers["X-App-Cache"] == ("miss" if round_ == "planted" else "hit")
            assert b"code-ran" not in response.data
            assert bodies.setdefault(path, response.data) == response.data  # rendered, then served
    assert not proof.exists()
    for path in paths:
        assert client.get(prefix + key_for(version, path, environ)).startswith(MAGIC)


def test_the_deploy_example_reaches_redis_over_tls_with_a_password_and_postgresql_over_tls():
    """Whoever can write to the shared Redis chooses pages: the example never shows it open."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from webapp.web.page_store import RedisStore

    example = Path(__file__).resolve().parents[2] / "deploy" / "healthytips.env.example"
    settings = dict(
        line.split("=", 1) for line in example.read_text().splitlines() if line.startswith("FLASK_")
    )
    for name in ("FLASK_CACHE_REDIS_URL", "FLASK_RATELIMIT_STORAGE_URI"):
        pool = redis.Redis.from_url(settings[name]).connection_pool
        assert pool.connection_class is redis.SSLConnection, name
        assert pool.connection_kwargs["password"], name
    store = RedisStore(settings["FLASK_CACHE_REDIS_URL"], "x:", 60)
    assert store.client.connection_pool.connection_class is redis.SSLConnection
    assert make_url(settings["FLASK_DATABASE_URL"]).query["sslmode"] == "require"
